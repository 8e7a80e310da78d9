import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Card } from 'antd';
import { api, errorMessage, get } from '../api';
import { PageState } from '../components/PageState';
import { type ConsoleSessionRow, SessionTable } from '../components/SessionTable';
import { useToast } from '../toast';

const KEY = ['/api/v1/session/sessions'];

/** 我的登录会话: every user's own live sessions (GET /api/v1/session/sessions), ending one elsewhere. */
export default function MySessionsPage() {
  const message = useToast();
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: KEY, queryFn: () => get<ConsoleSessionRow[]>('/api/v1/session/sessions') });
  const end = async (id: string) => {
    try {
      await api('DELETE', `/api/v1/session/sessions/${encodeURIComponent(id)}`);
      void message.success('已结束该会话');
      await queryClient.invalidateQueries({ queryKey: KEY });
    } catch (err) {
      void message.error(errorMessage(err));
    }
  };
  return (
    <Card title="我的登录会话" extra={<span className="ofp-secondary">在其他设备上的登录可在此结束</span>}>
      <PageState
        loading={q.isLoading}
        error={q.error}
        onRetry={() => void q.refetch()}
        empty={q.data?.length === 0}
        emptyText="没有登录会话"
      >
        <SessionTable items={q.data ?? []} onEnd={(id) => void end(id)} />
      </PageState>
    </Card>
  );
}
