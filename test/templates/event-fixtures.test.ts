import { loadModel, validateShape } from '../support/aws-model';
import probeResponse from '../../events/mediaconvert/probe-response-1080p.json';

describe('AWS response fixtures', () => {
  it('the MediaConvert Probe response fixture has the shape of a real ProbeResponse', () => {
    expect(validateShape(loadModel('mediaconvert'), 'ProbeResponse', probeResponse)).toEqual([]);
  });
});
