/** 柜台 settings of one seller org: the 码上开票 QR's validity, the scan setting its orders go through, the ticket. */
export interface CounterSettingTable {
  tenant_id: string;
  seller_tax_id: string;
  /** The scan setting (动态二维码设置) the org's 码上开票 orders are created under; made on first use. */
  scan_setting_key: string | null;
  /** How long a 码上开票 QR stays valid, in minutes. */
  qr_validity_minutes: number;
  /** JSON of the receipt (小票) layout: paper width, header and footer text, which fields are printed. */
  receipt_json: string | null;
  created_at: number;
  updated_at: number;
}

export interface CounterTables {
  counter_settings: CounterSettingTable;
}
