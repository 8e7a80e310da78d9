import { toIsoCst } from '../../platform/clock.js';
import type { Deps } from '../../platform/deps.js';
import { formatMoney } from '../../tax/index.js';
import type { ScanSetting } from './scan.tables.js';
import { settingKinds, settingLimits, settingPreset } from './settings.service.js';

/** The API representation of a setting (never its secret). */
export function toSettingView(deps: Pick<Deps, 'config'>, s: ScanSetting) {
  const preset = settingPreset(s);
  const limits = settingLimits(s);
  const staticUrl = preset ? `${deps.config.http.publicUrl}/q/${s.key}` : null;
  return {
    key: s.key,
    name: s.name,
    sellerTaxId: s.seller_tax_id,
    businessSystemCode: s.business_system_code,
    scanType: s.scan_type,
    allowedKinds: settingKinds(s),
    validityDays: s.validity_days,
    preset,
    enabled: s.enabled === 1,
    staticLimits: { ...limits, amountPerDay: formatMoney(limits.amountPerDay) },
    requireConfirmation: s.require_confirmation === 1,
    staticUrl,
    staticQrPngUrl: staticUrl ? `${staticUrl}/qr.png` : null,
    staticQrSvgUrl: staticUrl ? `${staticUrl}/qr.svg` : null,
    secretRotatedAt: toIsoCst(s.secret_rotated_at),
    createdAt: toIsoCst(s.created_at),
    updatedAt: toIsoCst(s.updated_at),
  };
}
