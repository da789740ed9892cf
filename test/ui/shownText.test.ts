import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTROLS } from '../../common/printable';

// The page runs as plain scripts and cannot import common/: its copy of the CLI's rule must not drift.
it('the Web UI drops from a run’s text the characters the CLI drops', () => {
  const app = readFileSync(path.resolve(__dirname, '../../client/ui/static/app.js'), 'utf8');
  expect(app).toContain(`const UNSHOWN = /${CONTROLS.source}/g;`);
});
