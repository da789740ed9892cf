/**
 * The council seed's code ("AutoGen-Style Messaging for Council Experts": Usage, Examples 1-3 and
 * Debugging), one to one in TypeScript on the embedded default: `Council.local()` brings its own
 * Temporal dev server and worker (./embedded.ts), and `council.executeCouncilExperts(context, onExpertUpdate,
 * onStatusUpdate)` has the seed's signature. With no OPENAI_API_KEY set the experts are simulated (a
 * local mock LLM answers), so it runs anywhere:
 *
 *   npx tsx examples/seeds/council.ts
 */
import { inspect } from 'node:util';
import {
  createExpertMessage,
  type CouncilExpert,
  type ExecutionContext,
  type OnExpertUpdate,
  type OnStatusUpdate,
} from '../../client';
import type { ModelSpec } from '../../common/llm';
import { runAsScript, withEmbeddedCouncil, type SeedOptions } from './embedded';

// The seed's `apiKey` stays out of the context: the worker reads OPENAI_API_KEY from its environment.
const model: ModelSpec = { provider: 'openai', model: 'gpt-4o' };
const synthesisConfig = { model };

/** Runs the seed's samples, printing what the seed prints (to `print`, the console by default). */
export async function main(options: SeedOptions = {}): Promise<void> {
  await withEmbeddedCouncil(options, async (council, print) => {
    // The seed leaves its callbacks to the caller; these count what they are told.
    const updates = { expert: 0, status: 0 };
    const onExpertUpdate: OnExpertUpdate = () => void (updates.expert += 1);
    const onStatusUpdate: OnStatusUpdate = () => void (updates.status += 1);

    // ### Example 1: Sequential Analysis with Context (its experts serve every sample)
    const experts: CouncilExpert[] = [
      { id: 'analyst', name: 'Data Analyst', model },
      { id: 'critic', name: 'Critical Thinker', model },
      { id: 'synthesizer', name: 'Synthesizer', model },
    ];
    const task = 'Analyze market trends';
    const mode = 'sequential';
    const activeExperts = experts;

    // ## Usage / ### Basic Usage (Backward Compatible)
    const context: ExecutionContext = { task, mode, activeExperts, synthesisConfig };
    await council.executeCouncilExperts(context, onExpertUpdate, onStatusUpdate);

    // ### With Message Passing Enabled
    const result = await council.executeCouncilExperts(
      { task, mode, activeExperts, synthesisConfig, enableMessaging: true },
      onExpertUpdate,
      onStatusUpdate,
    );
    // Access message history
    print(inspect(result.messages)); // All messages exchanged
    print(inspect(result.conversationContext)); // Per-expert contexts

    // ### Creating Custom Messages (the seed's ids: the message stays in this process)
    const message = createExpertMessage(
      'expert-1',
      'Expert Name',
      'I disagree with the previous analysis because...',
      'critique',
      'expert-2', // Recipient
      'msg-123', // Reply to message ID
    );
    // (Not the seed's: a line to show the message was made.)
    print(`Created ${message.type} for ${message.recipient} replying to ${message.replyTo}`);

    // ### Accessing Conversation Context (the seed's 'expert-id': here the second expert)
    const expertContext = result.conversationContext?.['critic'];
    if (expertContext) {
      print(`Round: ${expertContext.round}`);
      print(`Messages: ${expertContext.messages.length}`);
      print(`History:\n${expertContext.conversationHistory}`);
    }

    // ### Example 1: Sequential Analysis with Context
    const sequential = await council.executeCouncilExperts(
      { task, mode: 'sequential', activeExperts: experts, synthesisConfig, enableMessaging: true },
      onExpertUpdate,
      onStatusUpdate,
    );
    // View conversation flow
    sequential.messages?.forEach((msg) => {
      print(`${msg.senderName}: ${msg.content.slice(0, 100)}...`);
    });

    // ### Example 2: Parallel with Message History
    const parallel = await council.executeCouncilExperts(
      {
        task: 'Review code architecture',
        mode: 'parallel',
        activeExperts: experts,
        synthesisConfig,
        enableMessaging: true,
      },
      onExpertUpdate,
      onStatusUpdate,
    );
    const messageCount = parallel.messages?.length || 0;
    print(`Experts exchanged ${messageCount} messages`);

    // ### Example 3: Custom Message Handling (run in a sequential council: the seed only defines it)
    const [baseExpert, ...rest] = experts as [CouncilExpert, ...CouncilExpert[]];
    const expertWithHandler: CouncilExpert = {
      ...baseExpert,
      canSendMessages: true,
      messageHandler: (received) => {
        print(`Expert received: ${received.type} from ${received.senderName}`);
      },
    };
    await council.executeCouncilExperts(
      { task, mode, activeExperts: [expertWithHandler, ...rest], synthesisConfig, enableMessaging: true },
      onExpertUpdate,
      onStatusUpdate,
    );

    // ## Debugging: Viewing Message History, then Inspecting Contexts
    if (result.messages) {
      print('=== Message History ===');
      result.messages.forEach((msg, i) => {
        print(`${i + 1}. [${msg.type}] ${msg.senderName}:`);
        print(`   ${msg.content.slice(0, 100)}...`);
        print(`   Timestamp: ${msg.timestamp.toISOString()}`);
      });
    }
    if (result.conversationContext) {
      Object.entries(result.conversationContext).forEach(([expertId, ctx]) => {
        print(`\n=== Context for ${expertId} ===`);
        print(`Round: ${ctx.round}`);
        print(`Messages seen: ${ctx.messages.length}`);
        print(`Previous responses: ${Object.keys(ctx.previousResponses).length}`);
      });
    }
    // (Not the seed's: what the callbacks of every sample were told.)
    print(`Callbacks: ${updates.expert} expert updates, ${updates.status} status updates`);
  });
}

runAsScript(module, main);
