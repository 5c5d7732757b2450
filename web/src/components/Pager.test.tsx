import { screen } from '@testing-library/react';
import { renderAt } from '../test-support';
import { Pager, usePage } from './Pager';

function List({ total }: { total: number }) {
  const page = usePage();
  return <Pager pagination={{ page, page_size: 50, total }} label="Pages of rules" />;
}

describe('Pager', () => {
  it('links to the pages around this one, keeping the filters', () => {
    renderAt('/rules?pack=core&page=2', { '/rules': <List total={120} /> });
    const pager = screen.getByRole('navigation', { name: 'Pages of rules' });
    expect(pager).toHaveTextContent('Page 2 of 3 (120 in all)');
    expect(screen.getByRole('link', { name: 'Previous page' })).toHaveAttribute('href', '/rules?pack=core');
    expect(screen.getByRole('link', { name: 'Next page' })).toHaveAttribute('href', '/rules?pack=core&page=3');
  });

  it('offers no page past the ends, and shows nothing for a single page', () => {
    const { unmount } = renderAt('/rules?page=x', { '/rules': <List total={60} /> });
    expect(screen.getByText('Page 1 of 2 (60 in all)')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Previous page' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Next page' })).toHaveAttribute('href', '/rules?page=2');
    unmount();
    renderAt('/rules', { '/rules': <List total={50} /> });
    expect(screen.queryByRole('navigation')).toBeNull();
  });
});
