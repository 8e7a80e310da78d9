import { useQuery } from '@tanstack/react-query';
import { formatTaxRatePercent, TaxDecimal } from '@tax';
import { Select } from 'antd';
import { type ComponentRef, useEffect, useRef, useState } from 'react';
import { get } from '../api';
import type { CatalogueItem, Page } from '../types';

/**
 * The unit price of `item` as a form wants it: tax-inclusive or not. A price stored the other way round is converted
 * with the item's rate (full precision, 8 decimals, as invoice unit prices carry).
 */
export function catalogueUnitPrice(item: CatalogueItem, includesTax: boolean): string | undefined {
  if (item.unitPrice === null) return undefined;
  if (item.taxInclusive === includesTax) return item.unitPrice;
  const factor = new TaxDecimal(1).plus(item.taxRate);
  const price = includesTax
    ? new TaxDecimal(item.unitPrice).times(factor)
    : new TaxDecimal(item.unitPrice).dividedBy(factor);
  return price.toDecimalPlaces(8).toFixed();
}

function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** 从商品档案选择: searches the seller org's enabled items by name or code; picking one calls `onPick`. */
export function CataloguePicker({
  sellerTaxId,
  onPick,
  placeholder = '从商品档案选择',
  testId = 'catalogue-picker',
}: {
  sellerTaxId: string | undefined;
  onPick: (item: CatalogueItem) => void;
  placeholder?: string;
  testId?: string;
}) {
  const [search, setSearch] = useState('');
  const ref = useRef<ComponentRef<typeof Select>>(null);
  const term = useDebounced(search.trim());
  const q = useQuery({
    queryKey: ['catalogue-pick', sellerTaxId, term],
    queryFn: () =>
      get<Page<CatalogueItem>>('/api/v1/catalogue/items', {
        sellerTaxId,
        enabled: true,
        limit: 30,
        ...(term ? { q: term } : {}),
      }),
    enabled: Boolean(sellerTaxId),
    staleTime: 30_000,
  });
  const items = q.data?.items ?? [];
  return (
    <Select<string>
      ref={ref}
      data-testid={testId}
      showSearch
      filterOption={false}
      value={null as unknown as string}
      placeholder={placeholder}
      onSearch={setSearch}
      loading={q.isFetching}
      style={{ minWidth: 220, width: '100%' }}
      notFoundContent={sellerTaxId ? '没有匹配的商品' : '请先选择销售方'}
      options={items.map((i) => ({
        value: i.id,
        label: `${i.name}${i.spec ? ` ${i.spec}` : ''}${i.unitPrice ? ` ¥${i.unitPrice}/${i.unit ?? '个'}` : ''} · ${formatTaxRatePercent(i.taxRate)}`,
      }))}
      onSelect={(id: string) => {
        const item = items.find((i) => i.id === id);
        if (item) onPick(item);
        setSearch('');
        // Closed after a pick (the next item is searched anew).
        ref.current?.blur();
      }}
    />
  );
}
