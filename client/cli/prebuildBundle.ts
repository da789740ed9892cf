/**
 * `npm run build`'s last step (node dist/client/cli/prebuildBundle.js): bundles the built workflow
 * code into dist/workflow-bundle, so the package ships it and no run bundles at start. It reports
 * on stderr: `npm pack --json` runs the build and its stdout must stay one JSON document.
 */
import path from 'node:path';
import { writePrebuiltBundle } from '../runtime/bundle';

if (require.main === module) {
  writePrebuiltBundle().then(
    (file) => process.stderr.write(`workflow bundle: ${path.relative(process.cwd(), file)}\n`),
    (error: unknown) => {
      process.stderr.write(`workflow bundle failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
