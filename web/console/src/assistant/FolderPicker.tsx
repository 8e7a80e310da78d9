/**
 * 从票夹选择: the employee's folder — unused and partly claimed invoices (all, less those with nothing left to claim),
 * searchable; the chosen ones join the page.
 */
import { Alert, Button, Checkbox, Empty, Input, List, Modal, Space, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { yuan } from '../format';
import { type AssistantItem, errorMessage, pageApi } from './assistant-api';
import { CheckTag } from './item-parts';

/** Something is left to claim of it (fully claimed or booked ones are not offered). */
const claimable = (i: AssistantItem) => !/^0+(\.0+)?$/.test(i.claim.remaining);

export default function FolderPicker({
  mobile,
  shown,
  onClose,
}: {
  mobile: boolean;
  /** Items already on the page (shown as chosen, not added twice). */
  shown: Set<string>;
  onClose: (added: AssistantItem[]) => void;
}) {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<AssistantItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<Map<string, AssistantItem>>(new Map());

  useEffect(() => {
    let live = true;
    setLoading(true);
    pageApi.folder({ status: 'all', q: query || undefined }).then(
      (res) => {
        if (!live) return;
        setItems(res.items.filter(claimable));
        setCursor(res.nextCursor ?? null);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(errorMessage(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [query]);

  const more = async () => {
    if (!cursor) return;
    setLoading(true);
    try {
      const res = await pageApi.folder({ status: 'all', q: query || undefined, cursor });
      setItems((prev) => [...prev, ...res.items.filter(claimable)]);
      setCursor(res.nextCursor ?? null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
  };

  const toggle = (i: AssistantItem, on: boolean) =>
    setPicked((prev) => {
      const next = new Map(prev);
      if (on) next.set(i.id, i);
      else next.delete(i.id);
      return next;
    });

  return (
    <Modal
      open
      title="从票夹选择"
      width={mobile ? '100vw' : 760}
      className={mobile ? 'asst-modal-mobile' : undefined}
      onCancel={() => onClose([])}
      footer={
        <Space>
          <Button size={mobile ? 'large' : 'middle'} onClick={() => onClose([])}>
            取消
          </Button>
          <Button
            type="primary"
            size={mobile ? 'large' : 'middle'}
            disabled={picked.size === 0}
            onClick={() => onClose([...picked.values()])}
            data-testid="folder-add"
          >
            添加 {picked.size > 0 ? `${picked.size} 张` : ''}
          </Button>
        </Space>
      }
    >
      <Input.Search
        placeholder="发票号码、销售方"
        allowClear
        maxLength={100}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onSearch={(v) => setQuery(v.trim())}
        style={{ marginBottom: 12 }}
      />
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      {loading && items.length === 0 ? (
        <Spin style={{ display: 'block', padding: 32 }} />
      ) : items.length === 0 ? (
        <Empty description="票夹中没有可报销的发票" />
      ) : (
        <List
          data-testid="folder-list"
          dataSource={items}
          loadMore={
            cursor ? (
              <div style={{ textAlign: 'center', marginTop: 12 }}>
                <Button onClick={() => void more()} loading={loading}>
                  加载更多
                </Button>
              </div>
            ) : null
          }
          renderItem={(i) => {
            const already = shown.has(i.id);
            const blocked = !i.check.importable || i.check.level === 'block';
            return (
              <List.Item>
                <Checkbox
                  checked={already || picked.has(i.id)}
                  disabled={already || blocked}
                  onChange={(e) => toggle(i, e.target.checked)}
                  style={{ width: '100%' }}
                >
                  <div className="asst-folder-row">
                    <b>{i.number ?? i.fileName ?? '（无号码）'}</b> <span className="asst-hint">{i.kindName}</span>
                    <div>
                      {i.seller.name ?? '—'} · {i.issueDate ?? '—'} · {i.totals.total ? yuan(i.totals.total) : '—'}
                      {i.claim.reversed && i.claim.reversed !== '0.00' && (
                        <span className="asst-hint"> · 已红冲 {yuan(i.claim.reversed)}</span>
                      )}
                      {((i.claim.claimed !== '0.00' && i.claim.claimed !== '0') ||
                        (i.claim.reversed && i.claim.reversed !== '0.00')) && (
                        <span className="asst-hint"> · 可报销 {yuan(i.claim.remaining)}</span>
                      )}{' '}
                      <CheckTag item={i} />
                    </div>
                  </div>
                </Checkbox>
              </List.Item>
            );
          }}
        />
      )}
    </Modal>
  );
}
