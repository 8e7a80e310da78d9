import { Result } from 'antd';

/** The page when the event code is missing, expired or replaced: the employee must open the assistant again. */
export function EventEnded() {
  return (
    <Result
      status="warning"
      title="事件码已失效，请从报销单重新打开"
      subTitle="发票助手的链接有效期为 10 分钟，且每张单据只有最新打开的链接有效。请回到报销单，重新点击“发票助手”。"
      data-testid="event-ended"
    />
  );
}
