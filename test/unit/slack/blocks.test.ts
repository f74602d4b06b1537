import { blockKitLimits, renderBlocks } from '../../../src/slack/blocks';
import type { Message } from '../../../src/model/message';

describe('Block Kit rendering', () => {
  test('50 targets with long vendor errors fit Slack limits, and none is left out', () => {
    const message: Message = {
      summary: 'x'.repeat(5000),
      tone: 'partial',
      title: 't'.repeat(300),
      fields: Array.from({ length: 12 }, (_, i) => ({ label: `f${i}`, value: 'v'.repeat(2500) })),
      targets: Array.from({ length: 50 }, (_, i) => ({
        ids: [`target-${i}`],
        status: 'failed' as const,
        text: `\`target-${i}\` failed — ${'e'.repeat(1500)}`,
      })),
      notes: Array.from({ length: 12 }, () => 'n'),
    };
    const { text, blocks } = renderBlocks(message);
    expect(text.length).toBeLessThanOrEqual(blockKitLimits.updateText);
    expect(blocks.length).toBeLessThanOrEqual(blockKitLimits.blocks);
    const sections = blocks.filter((block) => block.type === 'section');
    for (const block of sections) {
      if ('text' in block && block.text) expect(block.text.text.length).toBeLessThanOrEqual(blockKitLimits.sectionText);
      if ('fields' in block && block.fields) {
        expect(block.fields.length).toBeLessThanOrEqual(blockKitLimits.fields);
        for (const field of block.fields) expect(field.text.length).toBeLessThanOrEqual(blockKitLimits.fieldText);
      }
    }
    const header = blocks.find((block) => block.type === 'header');
    expect(header && 'text' in header && header.text.text.length).toBeLessThanOrEqual(blockKitLimits.headerText);
    const allText = JSON.stringify(blocks);
    for (let i = 0; i < 50; i += 1) expect(allText).toContain(`target-${i}\``);
  });

  test('buttons carry style and a confirm dialog', () => {
    const { blocks } = renderBlocks({
      summary: 's',
      tone: 'info',
      buttons: [
        { actionId: 'approve', text: 'Approve', value: 'R-1', style: 'primary' },
        { actionId: 'deny', text: 'Deny', value: 'R-1', style: 'danger', confirm: { title: 'Deny?', text: 'Sure?', confirm: 'Deny', deny: 'Back' } },
      ],
    });
    const actions = blocks.find((block) => block.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { type: 'button', action_id: 'approve', style: 'primary', value: 'R-1' },
        { type: 'button', action_id: 'deny', style: 'danger', confirm: { title: { text: 'Deny?' } } },
      ],
    });
  });
});
