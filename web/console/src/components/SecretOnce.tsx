import { Alert, Modal, Typography } from 'antd';

/** A secret the API shows once (create, rotate): with copy, and the warning that it will not be shown again. */
export function SecretOnceModal({
  title,
  label,
  secret,
  extra,
  warning = '密钥只显示这一次，关闭后无法再次查看，请立即复制并妥善保存。',
  testId = 'secret-once',
  onClose,
}: {
  title: string;
  label: string;
  secret: string | null;
  extra?: React.ReactNode;
  /** What the warning says (a link shown once says so, not 密钥). */
  warning?: string;
  testId?: string;
  onClose: () => void;
}) {
  return (
    <Modal
      open={secret !== null}
      title={title}
      onOk={onClose}
      onCancel={onClose}
      okText="我已保存"
      cancelButtonProps={{ style: { display: 'none' } }}
      maskClosable={false}
      destroyOnHidden
    >
      <Alert type="warning" showIcon message={warning} />
      {extra}
      <div style={{ marginTop: 16 }}>
        <div className="ofp-secondary">{label}</div>
        <Typography.Paragraph
          copyable={{ text: secret ?? '', tooltips: ['复制', '已复制'] }}
          code
          data-testid={testId}
          style={{ fontSize: 15, wordBreak: 'break-all' }}
        >
          {secret}
        </Typography.Paragraph>
      </div>
    </Modal>
  );
}
