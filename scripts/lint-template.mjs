#!/usr/bin/env node
// `npm run lint:template`: packages the stack offline and runs cfn-lint, AWS's CloudFormation linter, on the
// template `serverless deploy` would send and on the standalone web ACL template. cfn-lint checks every resource
// against CloudFormation's own resource schemas (names, types, patterns, enums), Ref/GetAtt targets, Step Functions
// definitions and resource availability per region. Any finding, error or warning, fails the run: a warning is
// either fixed or silenced where it occurs, with its reason (.cfnlintrc.yaml says where).
// https://github.com/aws-cloudformation/cfn-lint
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const STACK_TEMPLATE = '.serverless/cloudformation-template-update-stack.json';
// A web ACL for CloudFront exists only in us-east-1 (the template's own Rule says so): linted for that region only.
const WEB_ACL_TEMPLATE = 'templates/cloudformation/playback-web-acl.yml';
const WEB_ACL_REGION = 'us-east-1';
const PACKAGE_TIMEOUT_MS = 300_000;
const INSTALL_TIMEOUT_MS = 300_000;

const stage = process.env.STAGE ?? 'dev';
const region = process.env.AWS_REGION ?? 'us-east-1';

class LintSetupError extends Error {
  name = 'LintSetupError';
}

const succeeded = (result) => result.error === undefined && result.status === 0;

/** `serverless package` of serverless.yml, no AWS account needed, into .serverless/ (as scripts/package-stack.mjs). */
function packageStack() {
  const serverless = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
  console.log(`packaging stage "${stage}" (${region}) into .serverless/`);
  const result = spawnSync(process.execPath, [serverless, 'package', '--stage', stage, '--region', region], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: PACKAGE_TIMEOUT_MS,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
  });
  if (!succeeded(result)) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new LintSetupError(`serverless package failed (${result.error?.message ?? `exit ${String(result.status)}`})`);
  }
}

/**
 * How to run cfn-lint: the `cfn-lint` on PATH, or else installed with pip for this user and run through Python
 * (pip's script directory is often not on PATH). Debian's Python refuses user installs (PEP 668) unless told
 * --break-system-packages; a virtualenv refuses --user, so a plain install is the last resort.
 */
function cfnLintCommand() {
  if (succeeded(spawnSync('cfn-lint', ['--version'], { stdio: 'ignore' }))) return { command: 'cfn-lint', prefix: [] };
  console.log('cfn-lint is not on PATH: installing it with pip');
  const attempts = [['--user'], ['--user', '--break-system-packages'], []];
  const installed = attempts.some((flags) =>
    succeeded(
      spawnSync('python3', ['-m', 'pip', 'install', '--quiet', ...flags, 'cfn-lint'], {
        stdio: 'inherit',
        timeout: INSTALL_TIMEOUT_MS,
      }),
    ),
  );
  if (!installed) throw new LintSetupError('could not install cfn-lint with pip (python3 -m pip install cfn-lint)');
  // The package's console script is `cfn-lint = cfnlint.runner:main`.
  return { command: 'python3', prefix: ['-c', 'import sys; from cfnlint.runner import main; sys.exit(main())'] };
}

/** Runs cfn-lint on one template; true when it reports nothing. Regions come from .cfnlintrc.yaml unless given. */
function lint(cfnLint, template, regions) {
  const args = [...cfnLint.prefix, ...(regions ? ['--regions', ...regions] : []), '--', template];
  console.log(`cfn-lint ${template}${regions ? ` (regions: ${regions.join(' ')})` : ''}`);
  const result = spawnSync(cfnLint.command, args, { stdio: 'inherit' });
  if (result.error) throw new LintSetupError(`cfn-lint did not run: ${result.error.message}`);
  return result.status === 0;
}

try {
  packageStack();
  const cfnLint = cfnLintCommand();
  const results = [lint(cfnLint, STACK_TEMPLATE), lint(cfnLint, WEB_ACL_TEMPLATE, [WEB_ACL_REGION])];
  const failed = results.filter((clean) => !clean).length;
  if (failed > 0) {
    console.error(`cfn-lint: findings in ${failed} of ${results.length} templates (fix them, see .cfnlintrc.yaml)`);
    process.exit(1);
  }
  console.log(`cfn-lint: no findings in ${results.length} templates`);
} catch (error) {
  if (!(error instanceof LintSetupError)) throw error;
  console.error(`lint:template: ${error.message}`);
  process.exit(2);
}
