"""`broker start|stop|kill|status`: a local Apache Kafka cluster that outlives the command.

`broker start` runs the JVMs detached and records the cluster in a state file, so each
later command (another process) finds it with LocalCluster.attach().
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from idemlab.kafka.jars import DEFAULT_KAFKA_VERSION, KafkaSetupError

if TYPE_CHECKING:  # the launcher imports confluent_kafka (~50 ms), which `run` on the simulator does without
    from idemlab.kafka.launcher import LocalCluster


def add_broker_commands(subparsers: argparse._SubParsersAction) -> None:
    broker = subparsers.add_parser(
        "broker",
        help="run a local Apache Kafka broker on 127.0.0.1 (needs Java)",
        description="A local KRaft Apache Kafka cluster for the real-broker back end.",
    )
    broker.set_defaults(run=run_broker_command)
    actions = broker.add_subparsers(dest="broker_command", metavar="{start,stop,kill,status}")
    actions.required = True

    start = actions.add_parser(
        "start", help="start a cluster (or restart the stopped nodes of the recorded one); prints its bootstrap address"
    )
    start.add_argument(
        "--brokers",
        type=int,
        choices=(1, 3),
        default=None,
        help="number of nodes, each broker and controller (default 1)",
    )
    start.add_argument(
        "--kafka-version",
        default=None,
        metavar="V",
        help=f"Apache Kafka version (default {DEFAULT_KAFKA_VERSION}; ignored when KAFKA_HOME is set)",
    )

    stop = actions.add_parser("stop", help="clean shutdown; without --node also deletes the cluster's data and logs")
    stop.add_argument("--node", type=int, metavar="ID", help="stop only this node (keeps its data)")

    kill = actions.add_parser("kill", help="hard stop (SIGKILL), keeping the data; `broker start` restarts")
    kill.add_argument("--node", type=int, metavar="ID", help="kill only this node")

    actions.add_parser("status", help="bootstrap address, nodes and log files")


def run_broker_command(args: argparse.Namespace) -> int:
    """Exit status: 0 done, 2 bad input or the broker cannot be set up (message on stderr)."""
    try:
        return _COMMANDS[args.broker_command](args)
    except (KafkaSetupError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _start(args: argparse.Namespace) -> int:
    cluster = _recorded_cluster()
    if cluster is not None and cluster.cluster_dir.is_dir():
        requested = args.brokers or len(cluster.nodes)
        if requested != len(cluster.nodes) or args.kafka_version not in (None, cluster.kafka_version):
            raise KafkaSetupError(
                f"A {len(cluster.nodes)}-node Kafka {cluster.kafka_version} cluster is already "
                f"recorded ({cluster.bootstrap}). Remove it with `broker stop` before starting a "
                "different one."
            )
        stopped = [node_id for node_id, node in cluster.nodes.items() if not node.alive]
        for node_id in stopped:
            cluster.start_node(node_id)
        what = f"running again (restarted node {', '.join(map(str, stopped))})" if stopped else "already running"
    else:
        from idemlab.kafka.launcher import LocalCluster

        cluster = LocalCluster.start(
            brokers=args.brokers or 1, kafka_version=args.kafka_version or DEFAULT_KAFKA_VERSION, owned=False
        )
        what = "started"
    print(cluster.bootstrap)
    print(
        f"Kafka {cluster.kafka_version}, {len(cluster.nodes)}-node cluster {what}; logs in "
        f"{cluster.log_path.parent}. Stop with `broker stop`.",
        file=sys.stderr,
    )
    return 0


def _stop(args: argparse.Namespace) -> int:
    cluster = _recorded_cluster()
    if cluster is None:
        return _nothing_running(args)
    if args.node is not None:
        cluster.stop(args.node)
        print(f"node {args.node} stopped cleanly; `broker start` restarts it with its data")
    else:
        cluster.close()
        print(f"stopped; removed {cluster.cluster_dir}")
    return 0


def _kill(args: argparse.Namespace) -> int:
    cluster = _recorded_cluster()
    if cluster is None:
        return _nothing_running(args)
    cluster.kill(args.node)
    which = f"node {args.node}" if args.node is not None else "all nodes"
    print(f"killed {which}; `broker start` restarts with the data, `broker stop` removes it")
    return 0


def _status(args: argparse.Namespace) -> int:
    cluster = _recorded_cluster()
    if cluster is None:
        raise KafkaSetupError("No local Kafka broker is running. Start one with `python -m idemlab broker start`.")
    print(f"bootstrap {cluster.bootstrap}")
    print(f"kafka {cluster.kafka_version}, data in {cluster.cluster_dir}")
    for node in cluster.nodes.values():
        state = "alive" if node.alive else "stopped"
        print(f"node {node.node_id}  pid {node.pid}  port {node.port}  {state}  log {node.log_path}")
    return 0


def _recorded_cluster() -> LocalCluster | None:
    from idemlab.kafka.launcher import LocalCluster, state_file

    if not state_file().exists():
        return None
    return LocalCluster.attach()


def _nothing_running(args: argparse.Namespace) -> int:
    if args.node is not None:
        raise KafkaSetupError(f"No local Kafka broker is running, so there is no node {args.node}.")
    print("no local Kafka broker is running")
    return 0


_COMMANDS = {"start": _start, "stop": _stop, "kill": _kill, "status": _status}
