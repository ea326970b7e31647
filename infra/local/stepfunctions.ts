/**
 * Runs an Amazon States Language definition on this machine with aws-local-stepfunctions, each Task
 * state answered by a local function instead of a Lambda ARN. The migration state machine is tested
 * this way; the same definition is deployed by CDK.
 */
import { StateMachine } from "aws-local-stepfunctions";

type RunInput = Parameters<StateMachine["run"]>[0];
export type JSONValue = RunInput;

/** Task handlers by state name; what they return must be JSON (the runner passes it on as such). */
export type LocalTaskHandlers = Record<string, (input: JSONValue) => unknown>;

export interface LocalRunOptions {
  /** Retry intervals in ms per state name, so retries do not sleep real seconds. Default: 0 for every state. */
  retryIntervals?: Record<string, number>;
}

export async function runStateMachineLocally(
  definition: object,
  handlers: LocalTaskHandlers,
  input: unknown,
  options: LocalRunOptions = {},
): Promise<JSONValue> {
  const machine = new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0], {
    validationOptions: { checkArn: false },
  });
  const retryIntervals =
    options.retryIntervals ?? Object.fromEntries(Object.keys(handlers).map((k) => [k, 0]));
  const execution = machine.run(input as JSONValue, {
    overrides: {
      taskResourceLocalHandlers: handlers as Record<string, (input: JSONValue) => Promise<JSONValue>>,
      retryIntervalOverrides: retryIntervals,
    },
  });
  return execution.result;
}
