import { hitsText } from '../../src/cli/format';

test('the hit table never cuts an emoji in half and prints no control or bidi characters', () => {
  const name = `${'ğ'.repeat(46)}😀👍🏽 tail`;
  const text = hitsText({ total: 1, hits: [{ id: '1', name: `a\u0000b\u202Eevil\u202C ${name}`, price: 10, currency: 'try', url: '/x\u001b[31m/' }] });
  const row = text.split('\n')[1];
  // eslint-disable-next-line no-control-regex -- asserting that no control character is printed
  expect(row).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  // No lone surrogate: every emoji is whole or absent.
  expect(row).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  expect(row).toContain('abevil ');
  expect(row).toContain('/x[31m/');
});
