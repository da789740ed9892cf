import { closeBlobStore, councilDataConverter, openBlobStore, type BlobStore } from '../../storage/converter';
import { startS3Server, type S3TestServer } from '../helpers/moto';
import { startHarness } from '../helpers/testEnv';
import { describeSizeMatrix, SIZE_CASES } from '../session/sizeMatrix';

// The size matrix of test/session, with large payloads offloaded to a real S3-compatible server
// (moto), as on a cluster.
let server: S3TestServer | undefined;
let store: BlobStore | undefined;
afterAll(async () => {
  closeBlobStore(store);
  await server?.stop();
});

describeSizeMatrix('size matrix with the S3 blob store', SIZE_CASES, async (label, activities, address) => {
  server = await startS3Server();
  store = openBlobStore({ store: 's3', thresholdBytes: 256 * 1024, ...server.location });
  return startHarness(label, activities, { dataConverter: councilDataConverter(store), address });
});
