// The navigation: sections of links, each shown when the caller may view what it lists.

interface NavLink {
  to: string;
  label: string;
  /** The resource whose `view` grant the page needs. */
  resource: string;
}

export const NAV: { section: string; links: NavLink[] }[] = [
  {
    section: 'Run',
    links: [
      { to: '/', label: 'Dashboard', resource: 'execution' },
      { to: '/actions', label: 'Actions', resource: 'action' },
      { to: '/executions', label: 'Executions', resource: 'execution' },
      { to: '/workflows', label: 'Workflows', resource: 'action' },
      { to: '/inquiries', label: 'Inquiries', resource: 'inquiry' },
    ],
  },
  {
    section: 'Automate',
    links: [
      { to: '/rules', label: 'Rules', resource: 'rule' },
      { to: '/triggers', label: 'Triggers', resource: 'trigger' },
      { to: '/sensors', label: 'Sensors', resource: 'sensor' },
      { to: '/events', label: 'Events', resource: 'event' },
      { to: '/enforcements', label: 'Enforcements', resource: 'enforcement' },
      { to: '/webhooks', label: 'Webhooks', resource: 'webhook' },
    ],
  },
  {
    section: 'Configure',
    links: [
      { to: '/packs', label: 'Packs', resource: 'pack' },
      { to: '/keys', label: 'Keys', resource: 'key' },
      { to: '/admin/identities', label: 'Identities', resource: 'identity' },
      { to: '/admin/permission-sets', label: 'Permission sets', resource: 'permission_set' },
    ],
  },
];
