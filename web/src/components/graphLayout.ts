// A small layered layout for directed graphs (workflow tasks and their transitions), in the
// manner of Sugiyama: cycles broken by reversing the back edges a depth-first walk finds,
// longest-path layering, dummy points where an edge spans several layers, nodes ordered
// within their layer by barycentre sweeps (keeping the order with the fewest crossings), and
// coordinates that give every node its own slot, so nothing overlaps.

export type Direction = 'LR' | 'TB';

interface Point {
  x: number;
  y: number;
}

interface LayoutEdgeInput {
  from: string;
  to: string;
}

interface LayoutOptions {
  direction: Direction;
  nodeWidth: number;
  nodeHeight: number;
  /** Space between layers (along the direction). */
  layerGap: number;
  /** Space between neighbours within a layer. */
  nodeGap: number;
  /** Space around the drawing. */
  margin: number;
  /** How much room an edge passing through a layer takes. */
  dummyBreadth: number;
  /** Barycentre sweeps (down and up) tried. */
  sweeps: number;
}

export interface PlacedNode {
  id: string;
  layer: number;
  /** Position within its layer, from 0. */
  order: number;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

interface PlacedEdge {
  /** Index of the edge in the input. */
  index: number;
  from: string;
  to: string;
  /** Where the edge leaves, passes through and arrives, in order. */
  points: Point[];
  /** Whether it goes back against the direction (a cycle). */
  back: boolean;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  /** Node ids (dummies left out) by layer, in order. */
  layers: string[][];
  width: number;
  height: number;
  direction: Direction;
}

export const DEFAULT_LAYOUT: LayoutOptions = {
  direction: 'LR',
  nodeWidth: 176,
  nodeHeight: 64,
  layerGap: 136,
  nodeGap: 28,
  margin: 16,
  dummyBreadth: 12,
  sweeps: 6,
};

interface Slot {
  id: string;
  dummy: boolean;
}

/** Which edges close a cycle, found by a depth-first walk from the sources, then the rest. */
function backEdges(ids: string[], edges: LayoutEdgeInput[]): Set<number> {
  const out = new Map<string, number[]>(ids.map((id) => [id, []]));
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  edges.forEach((edge, index) => {
    out.get(edge.from)!.push(index);
    indegree.set(edge.to, (indegree.get(edge.to) ?? 0) + 1);
  });
  const back = new Set<number>();
  const state = new Map<string, 'open' | 'done'>();
  const roots = [...ids.filter((id) => indegree.get(id) === 0), ...ids];
  for (const root of roots) {
    if (state.has(root)) continue;
    // Iterative, so that a long chain of tasks cannot overflow the stack.
    const stack: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const outgoing = out.get(top.id)!;
      if (top.next >= outgoing.length) {
        state.set(top.id, 'done');
        stack.pop();
        continue;
      }
      const index = outgoing[top.next++]!;
      const target = edges[index]!.to;
      const seen = state.get(target);
      if (seen === 'open') back.add(index);
      else if (seen === undefined) {
        state.set(target, 'open');
        stack.push({ id: target, next: 0 });
      }
    }
  }
  return back;
}

/** Longest-path layers of an acyclic graph: a node sits one layer past its furthest predecessor. */
function longestPathLayers(ids: string[], arcs: [string, string][]): Map<string, number> {
  const succ = new Map<string, string[]>(ids.map((id) => [id, []]));
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const [from, to] of arcs) {
    succ.get(from)!.push(to);
    indegree.set(to, indegree.get(to)! + 1);
  }
  const layer = new Map<string, number>(ids.map((id) => [id, 0]));
  const queue = ids.filter((id) => indegree.get(id) === 0);
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    for (const to of succ.get(id)!) {
      layer.set(to, Math.max(layer.get(to)!, layer.get(id)! + 1));
      indegree.set(to, indegree.get(to)! - 1);
      if (indegree.get(to) === 0) queue.push(to);
    }
  }
  return layer;
}

/** Crossings between two adjacent layers, given each slot's position. */
function crossingsBetween(arcs: [string, string][], position: Map<string, number>): number {
  let count = 0;
  for (let i = 0; i < arcs.length; i++) {
    const [a, b] = arcs[i]!;
    for (let j = i + 1; j < arcs.length; j++) {
      const [c, d] = arcs[j]!;
      const upper = position.get(a)! - position.get(c)!;
      const lower = position.get(b)! - position.get(d)!;
      if (upper * lower < 0) count++;
    }
  }
  return count;
}

/** Lays out `ids` (in the order given, which breaks ties) joined by `edges`. */
export function layoutGraph(ids: string[], edges: LayoutEdgeInput[], options: Partial<LayoutOptions> = {}): GraphLayout {
  const o: LayoutOptions = { ...DEFAULT_LAYOUT, ...options };
  const nodes = [...new Set(ids)];
  const known = new Set(nodes);
  const valid = edges.map((edge) => known.has(edge.from) && known.has(edge.to));
  const kept = edges.map((edge, index) => ({ ...edge, index })).filter((_, index) => valid[index]);
  const back = backEdges(nodes, kept);

  // The acyclic graph: back edges reversed, self-loops and duplicates left out.
  const arcKeys = new Set<string>();
  const arcs: [string, string][] = [];
  kept.forEach((edge, k) => {
    if (edge.from === edge.to) return;
    const arc: [string, string] = back.has(k) ? [edge.to, edge.from] : [edge.from, edge.to];
    const key = JSON.stringify(arc);
    if (!arcKeys.has(key)) {
      arcKeys.add(key);
      arcs.push(arc);
    }
  });
  const layerOf = longestPathLayers(nodes, arcs);
  const layerCount = nodes.length === 0 ? 0 : Math.max(...nodes.map((id) => layerOf.get(id)!)) + 1;

  // Slots per layer: the nodes (first in the order a walk along the edges from the sources
  // meets them, so that targets keep the order their transition lists them in), and a dummy
  // wherever an arc crosses a layer.
  const met: string[] = [];
  const seen = new Set<string>();
  const next = new Map<string, string[]>(nodes.map((id) => [id, []]));
  for (const [from, to] of arcs) next.get(from)!.push(to);
  for (const root of [...nodes.filter((id) => layerOf.get(id) === 0), ...nodes]) {
    if (seen.has(root)) continue;
    seen.add(root);
    const queue = [root];
    for (let head = 0; head < queue.length; head++) {
      met.push(queue[head]!);
      for (const to of next.get(queue[head]!)!) {
        if (!seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
  }
  const slots: Slot[][] = Array.from({ length: layerCount }, () => []);
  for (const id of met) slots[layerOf.get(id)!]!.push({ id, dummy: false });
  const chains = new Map<string, string[]>(); // arc key → slot ids from its source to its target
  const links: [string, string][][] = Array.from({ length: Math.max(layerCount - 1, 0) }, () => []);
  for (const [from, to] of arcs) {
    const chain = [from];
    for (let layer = layerOf.get(from)! + 1; layer < layerOf.get(to)!; layer++) {
      const dummy = `\u0000${from}\u0000${to}\u0000${layer}`;
      slots[layer]!.push({ id: dummy, dummy: true });
      chain.push(dummy);
    }
    chain.push(to);
    chains.set(JSON.stringify([from, to]), chain);
    for (let i = 0; i + 1 < chain.length; i++) {
      links[layerOf.get(from)! + i]!.push([chain[i]!, chain[i + 1]!]);
    }
  }
  const slotLayer = new Map<string, number>();
  slots.forEach((layer, index) => layer.forEach((slot) => slotLayer.set(slot.id, index)));

  // Ordering: barycentre sweeps, keeping the order with the fewest crossings.
  const position = new Map<string, number>();
  const renumber = (layer: Slot[]) => layer.forEach((slot, index) => position.set(slot.id, index));
  slots.forEach(renumber);
  const totalCrossings = () => links.reduce((sum, arcsHere) => sum + crossingsBetween(arcsHere, position), 0);
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const arcsHere of links) {
    for (const [a, b] of arcsHere) {
      (succs.get(a) ?? succs.set(a, []).get(a)!).push(b);
      (preds.get(b) ?? preds.set(b, []).get(b)!).push(a);
    }
  }
  const sortBy = (layer: Slot[], neighbours: Map<string, string[]>) => {
    const keyed = layer.map((slot) => {
      const around = neighbours.get(slot.id) ?? [];
      const key = around.length
        ? around.reduce((sum, id) => sum + position.get(id)!, 0) / around.length
        : position.get(slot.id)!;
      return { slot, key, was: position.get(slot.id)! };
    });
    keyed.sort((a, b) => a.key - b.key || a.was - b.was);
    keyed.forEach((entry, index) => (layer[index] = entry.slot));
    renumber(layer);
  };
  let best = slots.map((layer) => [...layer]);
  let fewest = totalCrossings();
  for (let sweep = 0; sweep < o.sweeps && fewest > 0; sweep++) {
    for (let layer = 1; layer < layerCount; layer++) sortBy(slots[layer]!, preds);
    for (let layer = layerCount - 2; layer >= 0; layer--) sortBy(slots[layer]!, succs);
    const crossings = totalCrossings();
    if (crossings < fewest) {
      fewest = crossings;
      best = slots.map((layer) => [...layer]);
    }
  }
  best.forEach(renumber);

  // Coordinates: "main" runs along the direction, "cross" within a layer.
  const lr = o.direction === 'LR';
  const mainSize = lr ? o.nodeWidth : o.nodeHeight;
  const crossSize = lr ? o.nodeHeight : o.nodeWidth;
  const breadth = (slot: Slot) => (slot.dummy ? o.dummyBreadth : crossSize);
  const extent = (layer: Slot[]) =>
    layer.reduce((sum, slot) => sum + breadth(slot), 0) + Math.max(layer.length - 1, 0) * o.nodeGap;
  const widest = Math.max(0, ...best.map(extent));
  const centre = new Map<string, { main: number; cross: number }>();
  best.forEach((layer, index) => {
    let cross = o.margin + (widest - extent(layer)) / 2;
    const main = o.margin + index * (mainSize + o.layerGap) + mainSize / 2;
    for (const slot of layer) {
      centre.set(slot.id, { main, cross: cross + breadth(slot) / 2 });
      cross += breadth(slot) + o.nodeGap;
    }
  });
  const toPoint = (main: number, cross: number): Point => (lr ? { x: main, y: cross } : { x: cross, y: main });
  const placed: PlacedNode[] = nodes.map((id) => {
    const c = centre.get(id)!;
    const p = toPoint(c.main, c.cross);
    return {
      id,
      layer: layerOf.get(id)!,
      order: position.get(id)!,
      x: p.x - o.nodeWidth / 2,
      y: p.y - o.nodeHeight / 2,
      width: o.nodeWidth,
      height: o.nodeHeight,
    };
  });

  const mainExtent = o.margin * 2 + layerCount * mainSize + Math.max(layerCount - 1, 0) * o.layerGap;
  const crossExtent = o.margin * 2 + widest;
  // Edges against the direction loop around the far side, below (LR) or right of (TB) everything.
  const loopStep = 18;
  let loops = 0;
  const placedEdges: PlacedEdge[] = kept.map((edge, k) => {
    const from = centre.get(edge.from)!;
    const to = centre.get(edge.to)!;
    if (back.has(k) || edge.from === edge.to) {
      loops++;
      const side = crossExtent - o.margin + loopStep * loops;
      const self = edge.from === edge.to ? mainSize / 3 : 0;
      return {
        index: edge.index,
        from: edge.from,
        to: edge.to,
        back: true,
        points: [
          toPoint(from.main + self, from.cross + crossSize / 2),
          toPoint((from.main + to.main) / 2, side),
          toPoint(to.main - self, to.cross + crossSize / 2),
        ],
      };
    }
    const chain = chains.get(JSON.stringify([edge.from, edge.to]))!;
    const points = [toPoint(from.main + mainSize / 2, from.cross)];
    for (const id of chain.slice(1, -1)) {
      const c = centre.get(id)!;
      points.push(toPoint(c.main, c.cross));
    }
    points.push(toPoint(to.main - mainSize / 2, to.cross));
    return { index: edge.index, from: edge.from, to: edge.to, back: false, points };
  });
  const crossTotal = crossExtent + (loops > 0 ? loopStep * (loops + 1) : 0);

  return {
    nodes: placed,
    edges: placedEdges,
    layers: best.map((layer) => layer.filter((slot) => !slot.dummy).map((slot) => slot.id)),
    width: lr ? mainExtent : crossTotal,
    height: lr ? crossTotal : mainExtent,
    direction: o.direction,
  };
}

/** An SVG path through `points`, leaving and arriving along the direction. */
export function edgePath(points: Point[], direction: Direction, back = false): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  let d = `M ${first!.x} ${first!.y}`;
  if (back && rest.length === 2) {
    // A loop: a quadratic curve passing through the far point at its middle.
    const [far, end] = rest as [Point, Point];
    const control = { x: 2 * far.x - (first!.x + end.x) / 2, y: 2 * far.y - (first!.y + end.y) / 2 };
    return `${d} Q ${control.x} ${control.y}, ${end.x} ${end.y}`;
  }
  let previous = first!;
  for (const p of rest) {
    if (direction === 'LR') {
      const mid = (previous.x + p.x) / 2;
      d += ` C ${mid} ${previous.y}, ${mid} ${p.y}, ${p.x} ${p.y}`;
    } else {
      const mid = (previous.y + p.y) / 2;
      d += ` C ${previous.x} ${mid}, ${p.x} ${mid}, ${p.x} ${p.y}`;
    }
    previous = p;
  }
  return d;
}

/** Where an edge's label goes: the middle of its middle stretch. */
export function labelPoint(points: Point[]): Point {
  if (points.length === 0) return { x: 0, y: 0 };
  if (points.length % 2 === 1) return points[(points.length - 1) / 2]!;
  const a = points[points.length / 2 - 1]!;
  const b = points[points.length / 2]!;
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}
