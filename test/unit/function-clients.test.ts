import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { functionClients } from '../../local/runtime/function-clients';
import { PROJECT_ROOT } from '../../local/runtime/project-root';

describe('local mode routes every SDK client the functions build', () => {
  it('has one routed client per module in functions/commons/clients: a client left out would call real AWS', async () => {
    const modules = readdirSync(join(PROJECT_ROOT, 'functions', 'commons', 'clients')).filter((file) =>
      file.endsWith('.ts'),
    );

    const clients = await functionClients();

    expect(clients).toHaveLength(modules.length);
  });
});
