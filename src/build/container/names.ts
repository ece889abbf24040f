import { randomInt } from 'node:crypto';

// A short version of docker's namesgenerator lists: adjective_scientist.
const LEFT = ['admiring', 'bold', 'brave', 'clever', 'eager', 'elated', 'focused', 'gallant', 'happy', 'jolly', 'keen', 'loving', 'nifty', 'quirky', 'serene', 'sharp', 'stoic', 'trusting', 'vibrant', 'zealous'];
const RIGHT = ['archimedes', 'babbage', 'curie', 'darwin', 'einstein', 'euclid', 'feynman', 'galileo', 'hopper', 'hypatia', 'kepler', 'lovelace', 'newton', 'noether', 'pasteur', 'ritchie', 'shannon', 'thompson', 'turing', 'wozniak'];

/** generateName makes a docker-style name (`eager_turing`) that `taken` does not already hold. */
export function generateName(taken: (name: string) => boolean): string {
  for (let retry = 0; ; retry++) {
    const base = `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
    const name = retry > 5 ? `${base}${randomInt(10)}` : base;
    if (!taken(name)) return name;
  }
}
