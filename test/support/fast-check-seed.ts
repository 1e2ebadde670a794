// Property tests draw random inputs. Locally each run draws new ones (fast-check prints the seed and path of a
// failure, to replay with FC_SEED). In CI the seed is fixed, so a run of main passes or fails the same way each
// time and a new counterexample is found on a developer's machine, not by the merge gate.
import fc from 'fast-check';

const fromEnv = process.env.FC_SEED;
const seed =
  fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : process.env.CI ? 20261205 : undefined;
if (seed !== undefined) {
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${fromEnv}"`);
  fc.configureGlobal({ seed });
}
