import { packageStack, type CfnTemplate } from '../support/cloudformation';

/**
 * CloudFormation refuses a template whose resources depend on each other in a circle, but only at deploy time:
 * packaging offline cannot tell. The functions reference the state machine, the state machine references the
 * functions, and roles reference both, so the graph is checked here, from Ref, Fn::GetAtt, Fn::Sub and DependsOn.
 */
function referencedResources(value: unknown, resources: Set<string>, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedResources(item, resources, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'Ref' && typeof item === 'string' && resources.has(item)) found.add(item);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(item) ? item[0] : String(item).split('.')[0];
        if (typeof target === 'string' && resources.has(target)) found.add(target);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(item) ? item[0] : item;
        for (const [, name] of String(text).matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g)) {
          if (name && resources.has(name)) found.add(name);
        }
        if (Array.isArray(item)) referencedResources(item[1], resources, found);
      } else referencedResources(item, resources, found);
    }
  }
  return found;
}

function dependencyGraph(template: CfnTemplate): Map<string, Set<string>> {
  const names = new Set(Object.keys(template.Resources));
  return new Map(
    Object.entries(template.Resources).map(([name, resource]) => {
      const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
      const edges = referencedResources(resource.Properties ?? {}, names);
      for (const target of dependsOn) edges.add(target);
      return [name, edges];
    }),
  );
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

let template: CfnTemplate;
beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

describe('resource dependencies', () => {
  it('contain no cycle, so CloudFormation can order the deployment', () => {
    expect(findCycle(dependencyGraph(template))).toBeUndefined();
  });

  it('only reference resources, parameters and pseudo parameters the template declares', () => {
    const declared = new Set([...Object.keys(template.Resources), ...Object.keys(template.Parameters ?? {})]);
    const targets: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value !== null && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
          if (key === 'Ref' && typeof item === 'string') targets.push(item);
          else if (key === 'Fn::GetAtt' && Array.isArray(item) && typeof item[0] === 'string') targets.push(item[0]);
          else collect(item);
        }
      }
    };
    collect([template.Resources, template.Outputs]);

    const undeclared = targets.filter((target) => !declared.has(target) && !target.startsWith('AWS::'));
    expect(targets.length).toBeGreaterThan(50);
    expect([...new Set(undeclared)]).toEqual([]);
  });

  it('would catch a cycle', () => {
    const graph = new Map([
      ['Function', new Set(['StateMachine'])],
      ['StateMachine', new Set(['Role'])],
      ['Role', new Set(['Function'])],
    ]);
    expect(findCycle(graph)).toEqual(['Function', 'StateMachine', 'Role', 'Function']);
  });
});
