import type { UserRole } from './auth.tables.js';

/**
 * Every permission a route can require (dotted: area.verb). docs/console.md shows {@link ROLE_PERMISSIONS} as a
 * table; a test compares the two.
 */
export const PERMISSIONS = [
  'invoices.read',
  'invoices.issue',
  'invoices.red',
  'invoices.deliver',
  'scan.read',
  'scan.manage',
  'received.read',
  'received.manage',
  'bills.read',
  'bills.manage',
  'deduction.read',
  'deduction.manage',
  'folder.own',
  'orgs.read',
  'orgs.manage',
  'integrations.read',
  'integrations.manage',
  'users.manage',
  'audit.read',
  'system.read',
  'system.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * What a route needs, declared in its config (`config: { permission: 'invoices.red' }`): a {@link Permission}, or
 * `public` (no caller: token endpoint, H5 pages, downloads by signed link, health) or `signed-in` (any caller of
 * the tenant: who-am-I, own sessions, own password).
 */
export type RouteAccess = Permission | 'public' | 'signed-in';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the caller needs (docs/console.md#permissions); every `/api/v1` route declares it. */
    permission?: RouteAccess;
  }
}

const READ_ONLY: readonly Permission[] = [
  'invoices.read',
  'scan.read',
  'received.read',
  'bills.read',
  'deduction.read',
  'orgs.read',
  'integrations.read',
  'audit.read',
  'system.read',
];

/** The permission matrix: role → what it may do. One table; docs/console.md shows it. */
export const ROLE_PERMISSIONS: Readonly<Record<UserRole, readonly Permission[]>> = {
  admin: PERMISSIONS,
  finance: [
    'invoices.read',
    'invoices.issue',
    'invoices.red',
    'invoices.deliver',
    'scan.read',
    'scan.manage',
    'received.read',
    'received.manage',
    'bills.read',
    'bills.manage',
    'deduction.read',
    'deduction.manage',
    'folder.own',
    'orgs.read',
    'integrations.read',
    'system.read',
  ],
  clerk: ['invoices.read', 'invoices.issue', 'invoices.deliver', 'scan.read', 'scan.manage', 'orgs.read', 'folder.own'],
  auditor: READ_ONLY,
  employee: ['folder.own'],
};

/**
 * API apps (integrations calling with a bearer token) may do everything a tenant's systems automate — every
 * permission except administering people, reading the audit trail of people's actions, and a person's own folder
 * (an app is nobody's employee; expense systems reach folders through assistant event codes).
 */
export const API_APP_PERMISSIONS: readonly Permission[] = PERMISSIONS.filter(
  (p) => p !== 'users.manage' && p !== 'audit.read' && p !== 'folder.own',
);

/** Permissions whose routes a clerk may use only for the seller orgs assigned to them (`orgTaxIds`). */
export const ORG_SCOPED_ROLES: readonly UserRole[] = ['clerk'];

export function permissionsOfRole(role: UserRole): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

export function isPermission(value: unknown): value is Permission {
  return (PERMISSIONS as readonly unknown[]).includes(value);
}
