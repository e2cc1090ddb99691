import { localFunctionSettings } from '../../local/runtime/lambda-functions';
import { API_ROUTES } from '../../local/server/http-api-adapter';
import { packageStack, PREFIX, resourcesOfType, type CfnTemplate } from '../support/cloudformation';

/**
 * Local mode reads the stack's shape from serverless.yml (local/runtime/stack-shape.ts); this checks that what it
 * runs is what the packaged CloudFormation template deploys, so the two cannot drift apart again.
 */
let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await packageStack());
}, 180_000);

describe('local mode and the cloud agree', () => {
  it('on every function: the same set, handler, timeout and memory', () => {
    const deployed = resourcesOfType(template, 'AWS::Lambda::Function').map(([, fn]) => {
      const props = fn.Properties ?? {};
      return {
        name: String(props.FunctionName).replace(`${PREFIX}-`, ''),
        handler: props.Handler,
        timeoutSeconds: props.Timeout,
        memoryMb: props.MemorySize,
      };
    });

    const local = localFunctionSettings();

    expect(local.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      deployed.sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('on every HTTP API route and the function behind it', () => {
    const integrations = new Map(
      resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').map(([logicalId, integration]) => [
        logicalId,
        JSON.stringify(integration.Properties?.IntegrationUri),
      ]),
    );
    const functionNames = new Map(
      resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId, fn]) => [
        logicalId,
        String(fn.Properties?.FunctionName).replace(`${PREFIX}-`, ''),
      ]),
    );
    const deployed = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
      const target = JSON.stringify(route.Properties?.Target);
      const integrationId = [...integrations.keys()].find((id) => target.includes(id)) ?? '';
      const uri = integrations.get(integrationId) ?? '';
      const functionLogicalId = [...functionNames.keys()].find((id) => uri.includes(`"${id}"`)) ?? '';
      return { routeKey: String(route.Properties?.RouteKey), functionName: functionNames.get(functionLogicalId) };
    });

    const local = API_ROUTES.map((route) => ({
      routeKey: `${route.method} ${route.path}`,
      functionName: route.functionName,
    }));

    expect(local.sort((a, b) => a.routeKey.localeCompare(b.routeKey))).toEqual(
      deployed.sort((a, b) => a.routeKey.localeCompare(b.routeKey)),
    );
  });
});
