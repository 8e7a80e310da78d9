import { getDocumentFont } from '../src/modules/documents/render/font/document-font.ts';
import { GlyphSubset } from '../src/modules/documents/render/font/ttf-subset.ts';
import zlib from 'node:zlib';
let t=performance.now(); const f=getDocumentFont(); console.log('load',performance.now()-t, f.numGlyphs, f.unitsPerEm, f.glyphOf(0x7535), f.advanceOf(f.glyphOf(0x31)));
const text='电子发票（增值税专用发票）发票号码开票日期购买方信息名称统一社会信用代码纳税人识别号销售方项目规格型号单位数量价金额税率征收税额合计价税合计大写小写备注开票人北京测试科技有限公司销方有限公司餐饮服务工作餐有色金属铝锭吨0123456789.%¥壹贰叁肆伍陆柒捌玖拾佰仟万亿圆角分整零ABCDEFGHIJKLMNOPQRSTUVWXYZ被红冲蓝字数电票号码信息确认单编';
for(let k=0;k<5;k++){t=performance.now(); const s=new GlyphSubset(f); s.encode(text); const b=s.build(); const z=zlib.deflateSync(b); console.log('subset',performance.now()-t,s.glyphs.length,b.length,z.length);
if(k==4) (await import('node:fs')).default.writeFileSync('/tmp/sub.ttf',b);}
