import { clusterEnv, runCli, stopStartedClis } from './cli';

jest.setTimeout(300_000);
afterAll(stopStartedClis);

interface RunJson {
  simulated: boolean;
  status: string;
  rankings: Record<
    string,
    {
      status: string;
      ranking: Array<{ expertId: string; expertName: string }>;
      shown: Array<{ expertId: string }>;
    }
  >;
  aggregateRanking: Array<{ expertId: string; place: number; borda: number; meanRank: number | null }>;
  positionBias: { rankings: number; correlation: number | null };
}

describe('council run with peer review (simulated)', () => {
  it("`run -c examples/peer-review.yaml --json` prints each reviewer's ranking and the aggregate", async () => {
    const result = await runCli(
      ['run', '-c', 'examples/peer-review.yaml', '--worker', '--json'],
      clusterEnv('peer-review-json'),
    );
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as RunJson;
    expect(json).toMatchObject({ simulated: true, status: 'ok' });
    const experts = ['dba', 'architect', 'finance'];
    expect(Object.keys(json.rankings)).toEqual(experts);
    for (const [reviewer, review] of Object.entries(json.rankings)) {
      // Simulated reviewers give readable rankings of the two others, never of themselves.
      expect(review.status).toBe('ranked');
      expect(review.ranking.map((r) => r.expertId).sort()).toEqual(
        experts.filter((id) => id !== reviewer).sort(),
      );
      for (const ranked of review.ranking) expect(ranked.expertName).toMatch(/^(Database|Software|Cost) /);
      expect(review.shown.map((s) => s.expertId)).not.toContain(reviewer);
    }
    expect(json.aggregateRanking.map((e) => e.place)).toEqual([1, 2, 3]);
    expect(json.aggregateRanking.map((e) => e.expertId).sort()).toEqual([...experts].sort());
    // Three rankings of two answers: 3 Borda points in all.
    expect(json.aggregateRanking.reduce((sum, e) => sum + e.borda, 0)).toBe(3);
    expect(json.positionBias.rankings).toBe(3);
  });

  it('prints the aggregate ranking in the human output', async () => {
    const result = await runCli(
      ['run', '-c', 'examples/peer-review.yaml', '--worker'],
      clusterEnv('peer-review'),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('── Peer review (anonymous) ──');
    expect(result.stdout).toMatch(/^1\. .+: \d+ Borda points, mean rank [\d.]+ \(2 ranking\(s\)\)/m);
    expect(result.stdout).toMatch(/^Position bias: correlation -?[\d.]+ over 3 ranking\(s\)/m);
  });
});
