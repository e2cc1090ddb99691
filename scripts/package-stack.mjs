#!/usr/bin/env node
// Packages the whole stack offline (no AWS account needed) and prints what `serverless deploy` would create.
// The CloudFront key pair that signs playback cookies is generated once into .vodflow/ (git-ignored): the public
// half is what a deploy passes as cdnPublicKeyPem; the private half is what the entitlement service signs with.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const stage = process.env.STAGE ?? 'dev';
const region = process.env.AWS_REGION ?? 'us-east-1';
const keyDir = '.vodflow';
const publicKeyPath = join(keyDir, 'cloudfront-public-key.pem');
const privateKeyPath = join(keyDir, 'cloudfront-private-key.pem');

if (!existsSync(publicKeyPath)) {
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }));
  console.log(`generated a CloudFront signing key pair in ${keyDir}/`);
}

const started = Date.now();
// The key is not needed to package: it is the CloudFormation parameter CdnPublicKeyPem, supplied at deploy.
const result = spawnSync('npx', ['serverless', 'package', '--stage', stage, '--region', region], {
  stdio: 'inherit',
  env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
});
if (result.status !== 0) process.exit(result.status ?? 1);

const template = JSON.parse(readFileSync('.serverless/cloudformation-template-update-stack.json', 'utf8'));
const byType = {};
for (const resource of Object.values(template.Resources)) byType[resource.Type] = (byType[resource.Type] ?? 0) + 1;
const machine = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
console.log(`\npackaged stage "${stage}" in ${((Date.now() - started) / 1000).toFixed(1)} s into .serverless/`);
console.log(`${Object.keys(template.Resources).length} CloudFormation resources:`);
for (const [type, count] of Object.entries(byType).sort()) console.log(`  ${String(count).padStart(3)}  ${type}`);
console.log('function bundles:');
for (const file of readdirSync('.serverless').filter((name) => name.endsWith('.zip'))) {
  console.log(`  ${(statSync(join('.serverless', file)).size / 1024).toFixed(1).padStart(8)} KiB  ${file}`);
}
if (machine) console.log(`state machine: ${machine.Properties.StateMachineName ?? 'publish-video'} (STANDARD)`);
console.log(
  `\ndeploy with: npx serverless deploy --stage ${stage} --param="cdnPublicKeyPem=$(tr '\\n' ' ' < ${publicKeyPath})"`,
);
