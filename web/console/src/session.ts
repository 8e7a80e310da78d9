import { useQuery } from '@tanstack/react-query';
import { ApiError, api, setCsrfToken } from './api';

/** The console session contract (console-contract.md). */
export interface SessionInfo {
  user: {
    id: string;
    username: string;
    displayName: string;
    role: string;
    tenantId: string;
    tenantName: string;
    orgTaxIds: string[] | null;
  };
  permissions: string[];
  csrfToken: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
}

export const SESSION_KEY = ['session'] as const;

export const ROLE_NAMES: Record<string, string> = {
  admin: '管理员',
  finance: '财务',
  clerk: '开票员',
  auditor: '审计',
  employee: '员工',
};

/** The current session, or null when not logged in. */
export async function fetchSession(): Promise<SessionInfo | null> {
  try {
    const s = await api<SessionInfo>('GET', '/api/v1/session');
    setCsrfToken(s.csrfToken);
    return s;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 5 * 60_000, retry: false });
}

export function can(session: SessionInfo | null | undefined, permission: string | null): boolean {
  if (!permission) return true;
  return session?.permissions.includes(permission) ?? false;
}
