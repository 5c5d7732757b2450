import { edgePath, labelPoint, layoutGraph, type GraphLayout, type PlacedNode } from './graphLayout';

const fanOut = {
  ids: ['first', 'both', 'repeat', 'shout'],
  edges: [
    { from: 'first', to: 'shout' },
    { from: 'first', to: 'repeat' },
    { from: 'shout', to: 'both' },
    { from: 'repeat', to: 'both' },
  ],
};

function overlaps(a: PlacedNode, b: PlacedNode): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function expectNoOverlap(layout: GraphLayout) {
  for (let i = 0; i < layout.nodes.length; i++) {
    for (let j = i + 1; j < layout.nodes.length; j++) {
      expect(overlaps(layout.nodes[i]!, layout.nodes[j]!), `${layout.nodes[i]!.id} overlaps ${layout.nodes[j]!.id}`).toBe(false);
    }
  }
  for (const node of layout.nodes) {
    expect(node.x).toBeGreaterThanOrEqual(0);
    expect(node.y).toBeGreaterThanOrEqual(0);
    expect(node.x + node.width).toBeLessThanOrEqual(layout.width);
    expect(node.y + node.height).toBeLessThanOrEqual(layout.height);
  }
}

const node = (layout: GraphLayout, id: string) => layout.nodes.find((n) => n.id === id)!;

describe('layoutGraph', () => {
  it('puts each node one layer past its furthest predecessor (longest path)', () => {
    const layout = layoutGraph(fanOut.ids, fanOut.edges);
    expect(layout.layers).toEqual([['first'], ['shout', 'repeat'], ['both']]);
    expect(node(layout, 'both').layer).toBe(2);

    // A shortcut edge does not pull its target forward: d stays after c.
    const chain = layoutGraph(['a', 'b', 'c', 'd'], [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'd' },
      { from: 'a', to: 'd' },
    ]);
    expect(chain.nodes.map((n) => [n.id, n.layer])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 3],
    ]);
  });

  it('orders nodes within a layer without gaps and places them without overlap', () => {
    const layout = layoutGraph(fanOut.ids, fanOut.edges);
    for (const layer of layout.layers) {
      const orders = layer.map((id) => node(layout, id).order).sort();
      expect(orders).toEqual(layer.map((_, i) => i));
    }
    expectNoOverlap(layout);
    // Left to right: layers advance along x; within a layer, along y.
    expect(node(layout, 'first').x).toBeLessThan(node(layout, 'shout').x);
    expect(node(layout, 'shout').x).toBe(node(layout, 'repeat').x);
    expect(node(layout, 'shout').y).not.toBe(node(layout, 'repeat').y);
    // The single nodes of a layer are centred on the fan.
    const middle = (node(layout, 'shout').y + node(layout, 'repeat').y) / 2;
    expect(node(layout, 'first').y).toBeCloseTo(middle);
    expect(node(layout, 'both').y).toBeCloseTo(middle);
  });

  it('runs top down when asked, swapping the axes', () => {
    const layout = layoutGraph(fanOut.ids, fanOut.edges, { direction: 'TB' });
    expect(node(layout, 'first').y).toBeLessThan(node(layout, 'shout').y);
    expect(node(layout, 'shout').y).toBe(node(layout, 'repeat').y);
    expect(layout.height).toBeGreaterThan(layout.width / 2);
    expectNoOverlap(layout);
    // Edges leave from the bottom of their source and arrive at the top of their target.
    const edge = layout.edges.find((e) => e.from === 'first' && e.to === 'shout')!;
    expect(edge.points[0]!.y).toBe(node(layout, 'first').y + node(layout, 'first').height);
    expect(edge.points[edge.points.length - 1]!.y).toBe(node(layout, 'shout').y);
  });

  it('reorders a layer to remove crossings', () => {
    // Given in crossing order: a→y, b→x with x listed before y.
    const layout = layoutGraph(['a', 'b', 'x', 'y'], [
      { from: 'a', to: 'y' },
      { from: 'b', to: 'x' },
    ]);
    const before = (p: string, q: string) => node(layout, p).order < node(layout, q).order;
    expect(before('a', 'b') === before('y', 'x')).toBe(true);
  });

  it('breaks cycles, keeps every node, and marks the edges that go back', () => {
    const layout = layoutGraph(['start', 'work', 'check'], [
      { from: 'start', to: 'work' },
      { from: 'work', to: 'check' },
      { from: 'check', to: 'work' },
      { from: 'check', to: 'check' },
    ]);
    expect(layout.nodes.map((n) => [n.id, n.layer])).toEqual([
      ['start', 0],
      ['work', 1],
      ['check', 2],
    ]);
    expect(layout.edges.filter((e) => e.back).map((e) => `${e.from}>${e.to}`)).toEqual(['check>work', 'check>check']);
    // Loops pass outside the nodes.
    const bottom = Math.max(...layout.nodes.map((n) => n.y + n.height));
    for (const edge of layout.edges.filter((e) => e.back)) {
      expect(edge.points[1]!.y).toBeGreaterThan(bottom);
      expect(edge.points[1]!.y).toBeLessThanOrEqual(layout.height);
    }
    expectNoOverlap(layout);
  });

  it('routes a long edge through the layers it crosses, beside their nodes', () => {
    const layout = layoutGraph(['a', 'b', 'c'], [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'a', to: 'c' },
    ]);
    const long = layout.edges.find((e) => e.from === 'a' && e.to === 'c')!;
    expect(long.points).toHaveLength(3);
    const via = long.points[1]!;
    const b = node(layout, 'b');
    const inside = via.x >= b.x && via.x <= b.x + b.width && via.y >= b.y && via.y <= b.y + b.height;
    expect(inside).toBe(false);
  });

  it('ignores edges to unknown nodes and copes with nothing at all', () => {
    const layout = layoutGraph(['a'], [{ from: 'a', to: 'ghost' }]);
    expect(layout.nodes).toHaveLength(1);
    expect(layout.edges).toHaveLength(0);
    const empty = layoutGraph([], []);
    expect(empty.nodes).toEqual([]);
    expect(empty.layers).toEqual([]);
  });

  it('lays out a wide graph of many tasks without overlap', () => {
    const ids = ['root', ...Array.from({ length: 30 }, (_, i) => `t${i}`), 'join'];
    const edges = ids.slice(1, -1).flatMap((id) => [
      { from: 'root', to: id },
      { from: id, to: 'join' },
    ]);
    const layout = layoutGraph(ids, edges);
    expect(layout.layers.map((l) => l.length)).toEqual([1, 30, 1]);
    expectNoOverlap(layout);
  });
});

describe('edge paths', () => {
  it('curve along the direction and put labels in the middle', () => {
    const points = [
      { x: 0, y: 0 },
      { x: 100, y: 50 },
    ];
    expect(edgePath(points, 'LR')).toBe('M 0 0 C 50 0, 50 50, 100 50');
    expect(edgePath(points, 'TB')).toBe('M 0 0 C 0 25, 100 25, 100 50');
    expect(labelPoint(points)).toEqual({ x: 50, y: 25 });
    const loop = [
      { x: 0, y: 10 },
      { x: 50, y: 40 },
      { x: 100, y: 10 },
    ];
    expect(labelPoint(loop)).toEqual({ x: 50, y: 40 });
    // The loop's curve passes through its far point.
    expect(edgePath(loop, 'LR', true)).toBe('M 0 10 Q 50 70, 100 10');
  });
});
