import { act, fireEvent, render, screen } from '@testing-library/react';
import { VirtualList, visibleRange } from './VirtualList';

describe('visibleRange', () => {
  it('covers the viewport plus the overscan, within the list', () => {
    expect(visibleRange(1000, 40, 0, 400, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(1000, 40, 4000, 400, 5)).toEqual({ start: 95, end: 116 });
    expect(visibleRange(1000, 40, 1e9, 400, 5)).toEqual({ start: 999, end: 1000 });
    expect(visibleRange(3, 40, 0, 400, 5)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(0, 40, 0, 400, 5)).toEqual({ start: 0, end: 0 });
  });
});

const items = Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `row ${i}` }));

function table(onEndReached?: () => void) {
  return (
    <VirtualList
      label="Rows"
      items={items}
      rowHeight={40}
      initialHeight={400}
      overscan={5}
      columns={1}
      itemKey={(item) => item.id}
      onEndReached={onEndReached}
      head={
        <thead>
          <tr>
            <th scope="col">Name</th>
          </tr>
        </thead>
      }
      renderItem={(item, index) => (
        <tr aria-rowindex={index + 2}>
          <td>{item.name}</td>
        </tr>
      )}
    />
  );
}

describe('VirtualList', () => {
  it('renders only the rows in view, with spacers for the rest', () => {
    const { container } = render(table());
    const region = screen.getByRole('region', { name: 'Rows' });
    const rows = container.querySelectorAll('tbody tr:not(.virtual-spacer)');
    expect(rows.length).toBe(16);
    expect(screen.getByText('row 0')).toBeInTheDocument();
    expect(screen.queryByText('row 100')).toBeNull();
    // The spacer below stands for every row not rendered, so the scroll height is right.
    const spacer = container.querySelector<HTMLElement>('tbody tr.virtual-spacer td')!;
    expect(spacer.style.height).toBe(`${(10_000 - 16) * 40}px`);
    expect(screen.getByRole('table')).toHaveAttribute('aria-rowcount', '10001');
    expect(region).toHaveAttribute('tabindex', '0');
  });

  it('follows the scroll position', () => {
    const { container } = render(table());
    const region = screen.getByRole('region', { name: 'Rows' });
    act(() => {
      region.scrollTop = 4000;
      fireEvent.scroll(region);
    });
    expect(screen.queryByText('row 0')).toBeNull();
    expect(screen.getByText('row 100')).toBeInTheDocument();
    const rows = container.querySelectorAll('tbody tr:not(.virtual-spacer)');
    expect(rows.length).toBeLessThan(30);
    const [above] = container.querySelectorAll<HTMLElement>('tbody tr.virtual-spacer td');
    expect(above!.style.height).toBe(`${95 * 40}px`);
  });

  it('asks for more once near the end, once per length', () => {
    const more = vi.fn();
    const { rerender } = render(table(more));
    expect(more).not.toHaveBeenCalled();
    const region = screen.getByRole('region', { name: 'Rows' });
    act(() => {
      region.scrollTop = 10_000 * 40 - 400;
      fireEvent.scroll(region);
    });
    expect(more).toHaveBeenCalledTimes(1);
    act(() => {
      region.scrollTop = 10_000 * 40 - 380;
      fireEvent.scroll(region);
    });
    rerender(table(more));
    expect(more).toHaveBeenCalledTimes(1);
  });

  it('renders a plain list when no table head is given', () => {
    render(
      <VirtualList
        label="Lines"
        items={items.slice(0, 3)}
        rowHeight={20}
        itemKey={(item) => item.id}
        renderItem={(item) => <li>{item.name}</li>}
      />,
    );
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['row 0', 'row 1', 'row 2']);
  });
});
