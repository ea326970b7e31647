/**
 * Runs an Amazon States Language definition on this machine with aws-local-stepfunctions, each Task
 * state answered by a local function instead of a Lambda ARN. The migration state machine is tested
 * this way; the same definition is deployed by CDK.
 */
import { StateMachine } from "aws-local-stepfunctions";

type RunInput = Parameters<StateMachine["run"]>[0];
export type JSONValue = RunInput;

export type LocalTaskHandlers = Record<string, (input: JSONValue) => Promise<JSONValue> | JSONValue>;

export interface LocalRunOptions {
  /** Retry intervals in ms per state name, so retries do not sleep real seconds. Default: 0 for every state. */
  retryIntervals?: Record<string, number>;
}

export async function runStateMachineLocally(
  definition: object,
  handlers: LocalTaskHandlers,
  input: JSONValue,
  options: LocalRunOptions = {},
): Promise<JSONValue> {
  const machine = new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0], {
    validationOptions: { checkArn: false },
  });
  const retryIntervals =
    options.retryIntervals ?? Object.fromEntries(Object.keys(handlers).map((k) => [k, 0]));
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retryIntervals },
  });
  return execution.result;
}
