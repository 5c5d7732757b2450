// A long list in a tall scroll container that renders only the rows in view (and a few on
// either side): spacers above and below stand in for the rest, so the scroll bar is right.
// Rows have one fixed height. Near the end it asks for more (`onEndReached`), for lists
// loaded a page at a time. As a table (`head` given) it keeps its header row in view and
// tells assistive technology how many rows there are in all.
import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import './virtual-list.css';

/** The rows to render for a scroll position: `[start, end)`, with `overscan` rows either side. */
export function visibleRange(
  count: number,
  rowHeight: number,
  scrollTop: number,
  viewport: number,
  overscan: number,
): { start: number; end: number } {
  if (count === 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(viewport / rowHeight) + 1;
  const start = Math.max(0, Math.min(first - overscan, count - 1));
  const end = Math.min(count, first + shown + overscan);
  return { start, end: Math.max(end, start + 1) };
}

interface VirtualListProps<T> {
  items: T[];
  /** Every row's height in pixels (CSS must give rows that height). */
  rowHeight: number;
  itemKey: (item: T, index: number) => string | number;
  /** A row: a `<tr>` for a table, an `<li>` otherwise. */
  renderItem: (item: T, index: number) => ReactNode;
  /** The region's name, for assistive technology. */
  label: string;
  /** A table's `<thead>`: the list is then a table of `columns` columns. */
  head?: ReactNode;
  columns?: number;
  /** How many rows there are in all (for a table loaded in pages), when more than `items`. */
  total?: number;
  /** Called when the rows within `endThreshold` of the end come into view. */
  onEndReached?: () => void;
  endThreshold?: number;
  overscan?: number;
  /** The viewport's height before it can be measured (and in tests). */
  initialHeight?: number;
  className?: string;
}

export function VirtualList<T>({
  items,
  rowHeight,
  itemKey,
  renderItem,
  label,
  head,
  columns = 1,
  total,
  onEndReached,
  endThreshold = 10,
  overscan = 8,
  initialHeight = 600,
  className,
}: VirtualListProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(initialHeight);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return undefined;
    const measure = () => {
      if (element.clientHeight > 0) setViewport(element.clientHeight);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const onScroll = useCallback(() => {
    if (scroller.current) setScrollTop(scroller.current.scrollTop);
  }, []);

  const { start, end } = visibleRange(items.length, rowHeight, scrollTop, viewport, overscan);

  // Asking for more once the last rows are in view; again only after the list grew.
  const askedAt = useRef(-1);
  useEffect(() => {
    if (!onEndReached || items.length === 0) return;
    if (end >= items.length - endThreshold && askedAt.current !== items.length) {
      askedAt.current = items.length;
      onEndReached();
    }
  }, [end, items.length, endThreshold, onEndReached]);

  const before = start * rowHeight;
  const after = (items.length - end) * rowHeight;
  const rows = items
    .slice(start, end)
    .map((item, i) => <Fragment key={itemKey(item, start + i)}>{renderItem(item, start + i)}</Fragment>);
  const classes = ['virtual-list', className].filter(Boolean).join(' ');

  if (head) {
    return (
      <div ref={scroller} className={classes} onScroll={onScroll} role="region" aria-label={label} tabIndex={0}>
        <table className="data-table" aria-rowcount={(total ?? items.length) + 1}>
          {head}
          <tbody>
            {before > 0 && (
              <tr aria-hidden="true" className="virtual-spacer">
                <td colSpan={columns} style={{ height: before }} />
              </tr>
            )}
            {rows}
            {after > 0 && (
              <tr aria-hidden="true" className="virtual-spacer">
                <td colSpan={columns} style={{ height: after }} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
    );
  }
  return (
    <div ref={scroller} className={classes} onScroll={onScroll} role="region" aria-label={label} tabIndex={0}>
      <ul className="virtual-rows">
        {before > 0 && <li aria-hidden="true" className="virtual-spacer" style={{ height: before }} />}
        {rows}
        {after > 0 && <li aria-hidden="true" className="virtual-spacer" style={{ height: after }} />}
      </ul>
    </div>
  );
}
