import type { Connection } from '@temporalio/client';
import { msToTs, optionalTsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';

type NamespaceReply = temporal.api.workflowservice.v1.IDescribeNamespaceResponse;

/** The retention `temporal server start-dev` gives every namespace it creates: one day. */
const DEV_SERVER_RETENTION_MS = 86_400_000;

/**
 * How long council's persistent embedded server keeps a closed run: ten years, in effect until its
 * data directory is deleted. The dev server's day deleted a run's history, and with it its answers
 * and a long session's early transcript, a day after the run closed.
 */
export const EMBEDDED_RETENTION_DAYS = 3650;

/**
 * The namespace data key that says council raised its retention: a namespace raised once is never
 * raised again, so a retention set by hand afterwards, a day included, is kept.
 */
export const RETENTION_RAISED_KEY = 'council.retention-raised';

/**
 * How often the server's services read namespaces again (DEV_SERVER_DYNAMIC_CONFIG): a run that
 * closes takes its retention from what they last read, so a raise counts for runs that close after it.
 */
export const NAMESPACE_REFRESH_MS = 500;

/**
 * Raises each namespace that council never raised and that still has the dev server's retention to
 * {@link EMBEDDED_RETENTION_DAYS}, marking it raised, then waits until the server's services have
 * read it: once per data directory. `replies` are DescribeNamespace's, one per name of `namespaces`.
 */
export async function keepClosedRuns(
  connection: Connection,
  namespaces: readonly string[],
  replies: readonly NamespaceReply[],
  deadline: number,
): Promise<void> {
  const raised = namespaces.filter((_, i) => {
    const reply = replies[i];
    const retentionMs = optionalTsToMs(reply?.config?.workflowExecutionRetentionTtl);
    return (
      retentionMs === DEV_SERVER_RETENTION_MS &&
      reply?.namespaceInfo?.data?.[RETENTION_RAISED_KEY] === undefined
    );
  });
  await connection.withDeadline(deadline, () =>
    Promise.all(
      raised.map((namespace) =>
        connection.workflowService.updateNamespace({
          namespace,
          updateInfo: { data: { [RETENTION_RAISED_KEY]: new Date().toISOString() } },
          config: { workflowExecutionRetentionTtl: msToTs(EMBEDDED_RETENTION_DAYS * 86_400_000) },
        }),
      ),
    ),
  );
  // A refresh that read just before the raise is followed by one that reads it, an interval later.
  if (raised.length > 0) await new Promise((resolve) => setTimeout(resolve, NAMESPACE_REFRESH_MS + 250));
}
