/** The synapse of the priority benchmark, shared by its axon, flood and top caller. */
import { defineSynapse, t } from '../../src/synapse/index.js';

export const Echo = defineSynapse({
  name: 'Echo',
  fields: { text: t.str(), reply: t.str().optional() },
  requiredHashFields: ['text'],
});
