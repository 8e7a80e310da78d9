import { createHash } from 'node:crypto';

/**
 * Progressive enhancement of the order form (the page works without it): hides the tax id for 个人, checks the
 * USCC check character (tax-rules §7.3) as the consumer types, remembers the last titles on this device
 * (localStorage), suggests company titles of the merchant's buyer directory once 4 characters of a name are typed
 * (抬头联想, the form's `data-suggest` endpoint; docs/counter.md), and stops double taps. The server checks
 * everything again.
 */
export const ORDER_PAGE_SCRIPT = `(function(){
var f=document.getElementById('title-form');if(!f)return;
var A='0123456789ABCDEFGHJKLMNPQRTUWXY',W=[1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28];
function q(n){return f.querySelector('[name="'+n+'"]')}
function type(){var r=f.querySelector('[name=buyerType]:checked');return r?r.value:'personal'}
function special(){var k=f.querySelector('[name=kind]:checked')||q('kind');return k&&(k.value==='81'||k.value==='85'||k.value==='004'||k.value==='028')}
function show(n,msg){var i=document.getElementById('f-'+n),e=document.getElementById('f-'+n+'-err');if(!i||!e)return;e.textContent=msg||'';e.hidden=!msg;if(msg){i.setAttribute('aria-invalid','true')}else{i.removeAttribute('aria-invalid')}}
function uscc(v){if(!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(v))return null;var s=0;for(var i=0;i<17;i++)s+=A.indexOf(v[i])*W[i];return A[(31-s%31)%31]===v[17]}
function taxErr(){var v=q('taxId').value.trim().toUpperCase(),t=type();if(!v)return t==='company'||(special()&&t!=='personal')?(special()?'开具专用发票须填写纳税人识别号':'企业抬头须填写纳税人识别号'):'';
if(!/^[A-Z0-9]{15}$|^[A-Z0-9]{17,18}$|^[A-Z0-9]{20}$/.test(v))return '纳税人识别号应为15、17、18或20位数字或大写字母';
if(v.length===18&&uscc(v)===false)return '纳税人识别号校验位不正确，请核对';return ''}
function sync(){var p=type()==='personal';document.getElementById('f-taxId-wrap').hidden=p;var d=f.querySelector('details');if(d)d.hidden=p;
var n=q('name');n.placeholder=p?'个人 或 姓名':(type()==='company'?'企业全称':'单位全称')}
f.addEventListener('change',function(e){if(e.target.name==='buyerType'||e.target.name==='kind'){sync();if(q('taxId').value)show('taxId',taxErr())}});
q('taxId').addEventListener('blur',function(){show('taxId',taxErr())});
q('taxId').addEventListener('input',function(){var v=this.value.trim();if(v.length>=18||!v)show('taxId',taxErr())});
var K='openfapiao.titles',saved=[];try{saved=JSON.parse(localStorage.getItem(K)||'[]')}catch(e){}
var box=document.getElementById('saved');
if(box&&saved.length){box.hidden=false;saved.forEach(function(s){var b=document.createElement('button');b.type='button';b.textContent=s.n;b.addEventListener('click',function(){var r=f.querySelector('[name=buyerType][value="'+s.t+'"]');if(r)r.checked=true;q('name').value=s.n;q('taxId').value=s.i||'';if(s.e)q('email').value=s.e;if(s.m)q('mobile').value=s.m;sync();show('taxId','')});box.appendChild(b)})}
var sg=f.getAttribute('data-suggest'),sb=document.getElementById('suggest'),st=0,last='';
if(sg&&sb){q('name').addEventListener('input',function(){clearTimeout(st);var v=this.value.trim().slice(0,50);if(type()==='personal'||v.length<4){sb.hidden=true;sb.textContent='';last='';return}if(v===last)return;
st=setTimeout(function(){last=v;fetch(sg+'?q='+encodeURIComponent(v),{cache:'no-store',credentials:'same-origin'}).then(function(r){return r.ok?r.json():{items:[]}}).then(function(j){sb.textContent='';(j.items||[]).forEach(function(s){var b=document.createElement('button');b.type='button';b.setAttribute('role','option');b.textContent=s.name+' · '+s.taxId;b.addEventListener('click',function(){q('name').value=s.name;q('taxId').value=s.taxId;sb.hidden=true;sb.textContent='';sync();show('taxId','')});sb.appendChild(b)});sb.hidden=!sb.firstChild}).catch(function(){})},250)})}
f.addEventListener('submit',function(e){var msg=taxErr();show('taxId',msg);if(type()!=='personal'&&!q('name').value.trim()){show('name','请填写抬头名称');msg=msg||'x'}
if(msg){e.preventDefault();var bad=f.querySelector('[aria-invalid=true]');if(bad)bad.focus();return}
try{var n=q('name').value.trim()||'个人',i=q('taxId').value.trim().toUpperCase();saved=saved.filter(function(s){return s.n!==n});saved.unshift({t:type(),n:n,i:type()==='personal'?'':i,e:q('email').value.trim(),m:q('mobile').value.trim()});localStorage.setItem(K,JSON.stringify(saved.slice(0,5)))}catch(x){}
var b=f.querySelector('button[type=submit]');b.disabled=true;b.textContent='提交中…'});
sync()})();`;

/** The status page follows its order: polls `status.json` and reloads when the status changes. */
export const STATUS_PAGE_SCRIPT = `(function(){
var m=document.querySelector('[data-status]');if(!m||m.getAttribute('data-final')==='1')return;var s=m.getAttribute('data-status'),n=0;
function tick(){n++;fetch(location.pathname.replace(/\\/$/,'')+'/status.json',{cache:'no-store'}).then(function(r){return r.json()}).then(function(j){if(j.status!==s){location.reload()}else{setTimeout(tick,n<20?1000:3000)}}).catch(function(){setTimeout(tick,3000)})}
setTimeout(tick,800)})();`;

const hash = (script: string) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;

/** Content-Security-Policy of the consumer pages: nothing external, only our two inline scripts. */
export const PAGE_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src ${hash(ORDER_PAGE_SCRIPT)} ${hash(STATUS_PAGE_SCRIPT)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
