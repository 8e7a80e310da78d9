import { Alert, Form, Modal, Space } from 'antd';
import { type ReactNode, useState } from 'react';
import { errorMessage } from '../api';

/** A small form in a modal whose submit calls the API; the API's message is shown in the modal on failure. */
export function ActionModal({
  title,
  okText,
  fields,
  initialValues,
  run,
  onClose,
}: {
  title: string;
  okText: string;
  fields: ReactNode;
  initialValues?: Record<string, unknown>;
  run: (values: Record<string, unknown>) => Promise<void>;
  onClose: () => void;
}) {
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      open
      title={title}
      okText={okText}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={initialValues}
        onFinish={async (v) => {
          setBusy(true);
          setError(null);
          try {
            await run(v);
          } catch (err) {
            setError(errorMessage(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
        <Space direction="vertical" style={{ width: '100%' }}>
          {fields}
        </Space>
      </Form>
    </Modal>
  );
}
