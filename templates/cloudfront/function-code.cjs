// serverless.yml's `${file()}` executes .js/.cjs files; this hands it the CloudFront Functions' source as text.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const source = (file) => readFileSync(join(__dirname, file), 'utf8');

module.exports = { stripApiPrefix: source('strip-api-prefix.cjs') };
