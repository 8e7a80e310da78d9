import { ConfigProvider, Result, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect, useState } from 'react';
import { isEventEnded, type PageInfo, pageApi, setEventEndedHandler, takeEventCode } from './assistant-api';
import { EventEnded } from './EventEnded';

const SelectPage = lazy(() => import('./SelectPage'));
const ViewPage = lazy(() => import('./ViewPage'));

/** Which page the address names: /assistant/select, /assistant/view, /assistant/m/select, /assistant/m/view. */
export function pageOf(pathname: string): { page: 'select' | 'view'; mobile: boolean } | null {
  const m = /^\/assistant\/(m\/)?(select|view)\/?$/.exec(pathname);
  return m ? { page: m[2] as 'select' | 'view', mobile: Boolean(m[1]) } : null;
}

// Read once, before the first render: the address bar loses the code at once.
const code = takeEventCode();
const route = pageOf(window.location.pathname);

/**
 * The assistant pages (发票助手): no router and no console layout (a small bundle); the event code authorises every
 * call, and when it ends (expired, replaced by a newer one) every page turns into the error page.
 */
export function AssistantApp() {
  const [info, setInfo] = useState<PageInfo | null>(null);
  const [ended, setEnded] = useState(!code);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    setEventEndedHandler(() => setEnded(true));
    if (!code || !route) return;
    pageApi.info().then(setInfo, (err: unknown) => {
      if (isEventEnded(err)) setEnded(true);
      else setFailure(err instanceof Error ? err.message : String(err));
    });
  }, []);

  let body: React.ReactNode;
  if (!route) body = <Result status="404" title="页面不存在" subTitle="请从报销单重新打开发票助手。" />;
  else if (ended) body = <EventEnded />;
  else if (failure) body = <Result status="error" title="加载失败" subTitle={failure} />;
  else if (!info) body = <Spin size="large" style={{ display: 'block', padding: 96 }} />;
  else
    body = (
      <Suspense fallback={<Spin size="large" style={{ display: 'block', padding: 96 }} />}>
        {route.page === 'select' ? (
          <SelectPage info={info} mobile={route.mobile} />
        ) : (
          <ViewPage info={info} mobile={route.mobile} />
        )}
      </Suspense>
    );

  return (
    <ConfigProvider locale={zhCN} theme={{ token: { colorPrimary: '#c8161d', borderRadius: 4 } }}>
      <div className={route?.mobile ? 'asst asst-mobile' : 'asst'}>{body}</div>
    </ConfigProvider>
  );
}
