/** 个人 / 企业 / 非企业单位 (tax-rules §10). */
export const BUYER_TYPES = ['personal', 'company', 'institution'] as const;
export type BuyerType = (typeof BUYER_TYPES)[number];
