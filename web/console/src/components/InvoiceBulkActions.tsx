import { DownloadOutlined, PrinterOutlined } from '@ant-design/icons';
import { Button, Dropdown, Form, Modal, Radio, Space, Typography } from 'antd';
import { useState } from 'react';
import { errorMessage, fetchFile, saveFile, withQuery } from '../api';
import { useToast } from '../toast';

/** At most this many invoices per 合并打印 (the server's limit, docs/console.md). */
const PRINT_MAX = 200;

/**
 * 销项发票 bulk actions: export CSV / XLSX of the selected rows (or, with none selected, of the current filter —
 * streamed by the server), and 合并打印 of the selected invoices as one A4 PDF, 1 or 2 per page.
 */
export function InvoiceBulkActions({
  filters,
  selected,
}: {
  filters: Record<string, string>;
  selected: readonly string[];
}) {
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const [printOpen, setPrintOpen] = useState(false);
  const [perPage, setPerPage] = useState<1 | 2>(2);

  const run = async (key: string, work: () => Promise<void>) => {
    setBusy(key);
    try {
      await work();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const exportAs = (format: 'csv' | 'xlsx') =>
    run(format, async () => {
      const query = selected.length > 0 ? { serialNos: selected.join(',') } : filters;
      saveFile(await fetchFile('GET', withQuery(`/api/v1/invoices/export.${format}`, query)));
      toast.success(selected.length > 0 ? `已导出所选 ${selected.length} 张发票` : '已按当前筛选条件导出');
    });

  const print = () =>
    run('print', async () => {
      saveFile(await fetchFile('POST', '/api/v1/invoices/print', { serialNos: selected, perPage }));
      setPrintOpen(false);
      toast.success(`已生成 ${selected.length} 张发票的合并打印文件`);
    });

  const scope = selected.length > 0 ? `所选 ${selected.length} 张` : '当前筛选';
  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            { key: 'csv', label: `导出 CSV（${scope}）` },
            { key: 'xlsx', label: `导出 Excel（${scope}）` },
          ],
          onClick: ({ key }) => void exportAs(key as 'csv' | 'xlsx'),
        }}
      >
        <Button icon={<DownloadOutlined />} loading={busy === 'csv' || busy === 'xlsx'} data-testid="export-button">
          导出
        </Button>
      </Dropdown>
      <Button
        icon={<PrinterOutlined />}
        disabled={selected.length === 0 || selected.length > PRINT_MAX}
        title={selected.length === 0 ? '请先勾选要打印的发票' : undefined}
        onClick={() => setPrintOpen(true)}
        data-testid="print-button"
      >
        合并打印{selected.length > 0 ? `（${selected.length}）` : ''}
      </Button>
      <Modal
        title="合并打印"
        open={printOpen}
        okText="生成 PDF"
        cancelText="取消"
        confirmLoading={busy === 'print'}
        onOk={() => void print()}
        onCancel={() => setPrintOpen(false)}
      >
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text>
            将所选 {selected.length} 张已开具发票合并为一个 A4 PDF（最多 {PRINT_MAX} 张），可直接打印。
          </Typography.Text>
          <Form layout="vertical">
            <Form.Item label="每页张数" htmlFor="print-per-page">
              <Radio.Group
                id="print-per-page"
                value={perPage}
                onChange={(e) => setPerPage(e.target.value as 1 | 2)}
                options={[
                  { value: 1, label: '每页 1 张' },
                  { value: 2, label: '每页 2 张（上下半页）' },
                ]}
              />
            </Form.Item>
          </Form>
        </Space>
      </Modal>
    </>
  );
}
