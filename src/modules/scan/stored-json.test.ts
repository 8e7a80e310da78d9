import { describe, expect, it } from 'vitest';
import {
  orderContentJson,
  orderItemsJson,
  orderKindsJson,
  orderTitleJson,
  presetJson,
  staticLimitsJson,
} from './stored-json.js';

describe('scan JSON columns', () => {
  it('decode what the writers store', () => {
    const content = {
      lines: [
        { name: '商务套餐', taxCode: '3070401000000000000', amount: '188.00', taxRate: '0.06', priceIncludesTax: true },
      ],
      remark: '桌号 8',
    };
    expect(orderContentJson.decode(orderContentJson.encode(content))).toEqual(content);
    expect(orderKindsJson.decode('["82","81"]')).toEqual(['82', '81']);
    expect(orderItemsJson.decode('[{"name":"餐饮","quantity":null,"unit":null,"total":"188.00"}]')).toHaveLength(1);
    const title = { kind: '82' as const, buyerType: 'personal' as const, name: '张三' };
    expect(orderTitleJson.decode(orderTitleJson.encode(title))).toEqual(title);
    expect(presetJson.decode('{"lines":[{"name":"停车费","taxCode":"3040502020200000000","taxRate":"0.09"}]}')).toEqual(
      {
        lines: [{ name: '停车费', taxCode: '3040502020200000000', taxRate: '0.09' }],
      },
    );
    expect(staticLimitsJson.decode('{"settingPerDay":100}')).toEqual({ settingPerDay: 100 });
  });

  it('refuse a corrupt row, naming the column', () => {
    expect(() => orderKindsJson.decode('["99"]')).toThrow(/scan_orders\.allowed_kinds/);
    expect(() => orderContentJson.decode('{"lines":[{"name":"x"}]}')).toThrow(/scan_orders\.content_json.*\/lines\/0/);
    expect(() => orderTitleJson.decode('{"kind":"82","buyerType":"robot","name":"x"}')).toThrow(
      /scan_orders\.buyer_json.*\/buyerType/,
    );
    expect(() => staticLimitsJson.decode('{"settingPerDay":"100"}')).toThrow(/scan_settings\.limits_json/);
    expect(() => presetJson.decode('{')).toThrow('stored JSON in scan_settings.preset_json is not valid JSON');
  });
});
