/** Mobile-first inline CSS shared by every consumer page (no external requests, small). */
export const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2329;background:#f2f3f5}
main{max-width:480px;margin:0 auto;padding:12px}
h1{font-size:20px;margin:4px 0 12px}
h2{font-size:16px;margin:0 0 8px}
.card{background:#fff;border-radius:12px;padding:16px;margin-bottom:12px}
.seller{color:#646a73;font-size:14px;margin:0}
.amount{font-size:28px;font-weight:600;margin:4px 0}
.items{list-style:none;margin:8px 0 0;padding:0;font-size:14px;color:#646a73}
.items li{display:flex;justify-content:space-between;gap:8px;padding:2px 0}
fieldset{border:0;margin:0 0 12px;padding:0}
legend{font-weight:600;margin-bottom:6px;padding:0}
.seg{display:flex;gap:8px;flex-wrap:wrap}
.seg label{flex:1;min-width:84px;text-align:center;border:1px solid #d0d3d6;border-radius:8px;padding:8px 4px;cursor:pointer}
.seg input{position:absolute;opacity:0}
.seg label:has(input:checked){border-color:#1664ff;color:#1664ff;background:#eef3ff}
.seg input:focus-visible+span{outline:2px solid #1664ff}
.field{margin-bottom:12px}
.field label{display:block;font-size:14px;margin-bottom:4px}
.field input{width:100%;font-size:16px;padding:10px;border:1px solid #d0d3d6;border-radius:8px}
.field input[aria-invalid=true]{border-color:#d93026}
.err{color:#d93026;font-size:13px;margin:4px 0 0}
.hint{color:#8f959e;font-size:13px;margin:4px 0 0}
.req{color:#d93026}
details{margin-bottom:12px}
summary{cursor:pointer;color:#1664ff;font-size:14px;margin-bottom:8px}
.btn{display:block;width:100%;font-size:17px;padding:12px;border:0;border-radius:8px;background:#1664ff;color:#fff;text-align:center;text-decoration:none;cursor:pointer}
.btn.alt{background:#fff;color:#1664ff;border:1px solid #1664ff}
.btn+.btn{margin-top:8px}
.alert{background:#fff1f0;border:1px solid #ffccc7;color:#a8071a;border-radius:8px;padding:10px;margin-bottom:12px;font-size:14px}
.ok{background:#f0fff4;border-color:#b7eb8f;color:#135200}
.status{text-align:center;padding:24px 16px}
.icon{display:inline-flex;width:56px;height:56px;border-radius:50%;align-items:center;justify-content:center;font-size:30px;font-weight:700;color:#fff;background:#1664ff}
.icon.ok{background:#2ea121}.icon.warn{background:#f5a623}.icon.bad{background:#d93026}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0;font-size:14px}
dt{color:#646a73}dd{margin:0;word-break:break-all}
.chips{display:flex;gap:6px;flex-wrap:wrap;margin-bottom:8px}
.chips button{font-size:13px;border:1px solid #d0d3d6;background:#fff;border-radius:14px;padding:4px 10px}
.row{display:flex;gap:8px}.row>*{flex:1}
.row .btn+.btn{margin-top:0}
footer{text-align:center;color:#8f959e;font-size:12px;padding:8px}
[hidden]{display:none!important}
`
  .replace(/\n/g, '')
  .trim();
