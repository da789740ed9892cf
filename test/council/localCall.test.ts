import { MODEL_CALL_ACTIVITY } from '../../activities/types';
import { useScriptedCouncil } from './bench';
import { council, expert, model, speakers } from './support';

describe('council experts and synthesizer called as local activities (callAs: local)', () => {
  const bench = useScriptedCouncil('council-local-call');

  it('a parallel council: the local expert and the synthesizer are markers, the other expert an activity', async () => {
    const councilId = `council-local-${Date.now()}`;
    const result = await bench.run(
      council('parallel', [expert('a', { callAs: 'local' }), expert('b')], {
        synthesisConfig: { model, callAs: 'local' },
      }),
      councilId,
    );
    expect(result.synthesis.status).toBe('done');
    expect(Object.values(result.outputs).map((output) => [output.expertName, output.status])).toEqual([
      ['Expert A', 'done'],
      ['Expert B', 'done'],
    ]);
    expect(speakers(bench.mock).sort()).toEqual(['Expert A', 'Expert B', 'Synthesizer']);
    const events = (await bench.harness.client.workflow.getHandle(councilId).fetchHistory()).events ?? [];
    const scheduled = events.filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === MODEL_CALL_ACTIVITY,
    );
    const markers = events.filter(
      (event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity',
    );
    expect([scheduled.length, markers.length]).toEqual([1, 2]);
  }, 60_000);
});
