import { rmSync } from 'node:fs';
import { emitDeclarations, publicTypesReport, type PublicTypesReport } from './publicTypes';

/**
 * Every type the public API uses can be written by its user: a function's options, a callback's
 * argument, a class's result are exported by one of the package's entries (council, council/common,
 * council/worker, council/workflows), and no declaration says `any`.
 */
describe('the public API', () => {
  let report: PublicTypesReport;
  beforeAll(() => {
    const outDir = emitDeclarations();
    try {
      report = publicTypesReport(outDir);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('uses no type that no entry exports', () => {
    expect(report.unnameable).toEqual([]);
  });

  it('declares nothing as any', () => {
    expect(report.anys).toEqual([]);
  });
});
