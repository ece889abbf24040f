import { StrataError } from '../../util/errors.js';

/** NoSuchContainerError: no container has this id, name or id prefix. */
export class NoSuchContainerError extends StrataError {
  constructor(arg: string) {
    super('NO_SUCH_CONTAINER', `No such container: ${arg}`);
  }
}

/** ContainerConflictError: a name already in use, or removing a running container without -f. */
export class ContainerConflictError extends StrataError {
  constructor(message: string) {
    super('CONTAINER_CONFLICT', message);
  }
}

/** NoCommandError: neither the image nor the command line names a program to run. */
export class NoCommandError extends StrataError {
  constructor() {
    super('NO_COMMAND', 'No command specified');
  }
}
