// The frame of every signed-in page: a header (menu button on narrow screens, theme toggle,
// who is signed in), the navigation, and the page. A skip link leads keyboard users past
// the navigation.
import { Suspense, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { useCan, useMe } from '../api/access';
import { session } from '../api/session';
import { NAV } from './nav';
import { useTheme } from './theme';

export function Layout() {
  const [menuOpen, setMenuOpen] = useState(false);
  const { theme, toggle } = useTheme();
  const { data: me } = useMe();
  const can = useCan();
  const client = useQueryClient();
  const location = useLocation();
  const [shownFor, setShownFor] = useState(location.pathname);
  if (shownFor !== location.pathname) {
    // Following a link closes the menu on narrow screens.
    setShownFor(location.pathname);
    setMenuOpen(false);
  }
  const signOut = () => {
    session.logout();
    client.clear();
  };
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="navigation"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <NavLink to="/" className="brand">
          Attune
        </NavLink>
        <div className="topbar-end">
          <button type="button" className="ghost" onClick={toggle} aria-label={`Use the ${theme === 'dark' ? 'light' : 'dark'} theme`}>
            {theme === 'dark' ? 'Light' : 'Dark'} theme
          </button>
          {me && (
            <span className="whoami" title={me.permission_sets.join(', ')}>
              {me.display_name ?? me.login}
            </span>
          )}
          <button type="button" className="ghost" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="navigation" className={menuOpen ? 'sidebar open' : 'sidebar'} aria-label="Main">
        {NAV.map(({ section, links }) => {
          const visible = links.filter((link) => can(link.resource, 'view'));
          if (visible.length === 0) return null;
          return (
            <div key={section} className="nav-section">
              <h2>{section}</h2>
              <ul>
                {visible.map((link) => (
                  <li key={link.to}>
                    <NavLink to={link.to} end={link.to === '/'}>
                      {link.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
