/** Shapes of the /api/v1 answers the console reads (see /api/openapi.json). */

export interface PeriodSums {
  count: number;
  amount: string;
  tax: string;
  total: string;
  redCount: number;
  redTotal: string;
  byKind: {
    kind: string;
    kindName: string;
    isRed: boolean;
    count: number;
    amount: string;
    tax: string;
    total: string;
  }[];
}

export interface Dashboard {
  asOf: string;
  today: PeriodSums & { date: string };
  month: PeriodSums & { month: string; from: string; to: string };
  trend: { date: string; count: number; total: string }[];
  statuses: { pending: number; issuing: number; failed: number; redPending: number };
  failures: { count: number; byCode: { code: string; count: number }[] };
  quota: { sellerTaxId: string; sellerName: string; month: string; total: string; used: string; remaining: string }[];
  /** null: the role may not see webhook deliveries (integrations.read). */
  deadDeliveries: number | null;
  /** null: the role may not see scan orders (scan.read). */
  scanOrders: { status: string; count: number }[] | null;
}

export interface Party {
  name: string;
  taxId: string | null;
  address: string | null;
  phone: string | null;
  bankName: string | null;
  bankAccount: string | null;
}

export interface InvoiceLine {
  lineNo: number;
  name: string;
  taxCode: string;
  spec: string | null;
  unit: string | null;
  quantity: string | null;
  unitPrice: string | null;
  amount: string;
  taxRate: string;
  taxRateLabel: string;
  taxAmount: string;
  lineNature: string;
}

export interface Invoice {
  serialNo: string;
  status: string;
  origin: string;
  kind: string;
  kindName: string;
  isRed: boolean;
  number: string | null;
  issuedAt: string | null;
  seller: Party;
  buyer: Party & { naturalPerson: boolean };
  lines: InvoiceLine[];
  totals: { amount: string; tax: string; total: string; totalInWords: string };
  remark: string | null;
  drawer: string | null;
  businessSystemCode: string | null;
  failure: { code: string; reason: string } | null;
  red: {
    blueSerialNo: string;
    blueNumber: string | null;
    reason: string;
    formNo: string | null;
    formStatus: string | null;
  } | null;
  reds: { serialNo: string; status: string; number: string | null; total: string }[];
  reversed: { amount: string; tax: string };
  files: { pdf: string; ofd: string; xml: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Org {
  taxId: string;
  name: string;
}

export interface TaxCodeItem {
  code: string;
  name: string;
  shortName: string;
  defaultRate: string;
  isSummary: boolean;
}

/** 商品档案 item (GET /api/v1/catalogue/items). */
export interface CatalogueItem {
  id: string;
  sellerTaxId: string;
  name: string;
  spec: string | null;
  unit: string | null;
  taxCode: string;
  shortName: string | null;
  taxRate: string;
  unitPrice: string | null;
  taxInclusive: boolean;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A tax code offered by the catalogue's picker, with the rates it allows. */
export interface TaxCodeOption {
  code: string;
  name: string;
  shortName: string;
  defaultRate: string;
  allowedRates: string[];
}
