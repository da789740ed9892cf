import { temporal } from '@temporalio/proto';
import { billableActions } from '../../bench/historyProfile';

const payload = (value: unknown) => ({ data: Buffer.from(JSON.stringify(value)) });
const marker = (markerName: string) => ({ markerRecordedEventAttributes: { markerName } });
const upsert = (...fields: string[]) => ({
  upsertWorkflowSearchAttributesEventAttributes: {
    searchAttributes: { indexedFields: Object.fromEntries(fields.map((field) => [field, payload('x')])) },
  },
});

// docs.temporal.io/cloud/actions: a local activity is billed, a patch's marker and its
// TemporalChangeVersion upsert are not (the search attribute is exempt), other upserts are.
describe('the bench estimate of Temporal Cloud actions', () => {
  it('counts local activities and status upserts, not what patched() records', () => {
    const history = temporal.api.history.v1.History.fromObject({
      events: [
        { workflowExecutionStartedEventAttributes: {} },
        marker('core_patch'),
        upsert('TemporalChangeVersion'),
        marker('core_local_activity'),
        upsert('CouncilStatus', 'CouncilKind'),
        { activityTaskStartedEventAttributes: { attempt: 2 } },
      ],
    });
    expect(billableActions(history)).toBe(1 + 1 + 1 + 2);
  });
});
