import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { councilDataConverter, openBlobStore } from '../../storage/converter';
import { startHarness } from '../helpers/testEnv';
import { describeSizeMatrix, SIZE_CASES } from '../session/sizeMatrix';

// The size matrix of test/session, with large payloads offloaded to a directory store: the bounds
// and the store together, as on the embedded default.
const dir = mkdtempSync(path.join(os.tmpdir(), 'council-matrix-blobs-'));
const dataConverter = councilDataConverter(openBlobStore({ store: 'dir', dir, thresholdBytes: 256 * 1024 }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeSizeMatrix('size matrix with the directory blob store', SIZE_CASES, (label, activities, address) =>
  startHarness(label, activities, { dataConverter, address }),
);
