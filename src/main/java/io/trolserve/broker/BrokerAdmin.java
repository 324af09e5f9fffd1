package io.trolserve.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

/**
 * The embedded broker's own admin client: it decides when a started server is ready (it answers
 * describeCluster) and creates topics, waiting until every partition has a leader.
 */
final class BrokerAdmin {

    // one log category for the whole embedded broker, as before the split into several classes
    private static final Logger LOG = Logger.getLogger(EmbeddedKafkaBroker.class);

    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

    private final Admin admin;

    private BrokerAdmin(Admin admin) {
        this.admin = admin;
    }

    /** Connects to {@code bootstrap} and returns once the broker answers; closes the client if it never does. */
    static BrokerAdmin connectWhenReady(String bootstrap, long deadlineNanos, Duration timeout) {
        Admin admin = null;
        try {
            admin = Admin.create(adminProperties(bootstrap));
            awaitReady(admin, deadlineNanos, timeout, bootstrap);
            return new BrokerAdmin(admin);
        } catch (RuntimeException | Error e) {
            if (admin != null) {
                admin.close(Duration.ZERO);
            }
            throw e;
        }
    }

    /** See {@link EmbeddedKafkaBroker#createTopics(Map)}. */
    void createTopics(Map<String, Integer> partitionsByTopic) {
        if (partitionsByTopic.isEmpty()) {
            return;
        }
        List<NewTopic> newTopics = new ArrayList<>();
        partitionsByTopic.forEach((topic, partitions) -> {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("topic name must not be blank");
            }
            if (partitions == null || partitions < 1) {
                throw new IllegalArgumentException("topic " + topic + ": partitions must be >= 1, got " + partitions);
            }
            newTopics.add(new NewTopic(topic, partitions, (short) 1));
        });
        long deadline = System.nanoTime() + TOPIC_TIMEOUT.toNanos();
        CreateTopicsResult result = admin.createTopics(newTopics);
        for (Map.Entry<String, KafkaFuture<Void>> e : result.values().entrySet()) {
            try {
                e.getValue().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new EmbeddedKafkaException("creating topic " + e.getKey() + " failed: " + ex.getCause(),
                            ex.getCause());
                }
            } catch (TimeoutException ex) {
                throw new EmbeddedKafkaException("creating topic " + e.getKey() + " timed out after "
                        + TOPIC_TIMEOUT.toSeconds() + " s", ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new EmbeddedKafkaException("interrupted while creating topics", ex);
            }
        }
        awaitLeaders(partitionsByTopic.keySet(), deadline);
    }

    /** Closes the client; a failure is only logged, since the broker is being stopped anyway. */
    void close() {
        try {
            admin.close(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.debug("closing the embedded broker's admin client failed", e);
        }
    }

    private static Properties adminProperties(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "trol-embedded-kafka-admin");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        return p;
    }

    private static void awaitReady(Admin admin, long deadlineNanos, Duration timeout, String bootstrap) {
        Throwable last = null;
        while (true) {
            long remaining = remainingMillis(deadlineNanos);
            if (remaining <= 0) {
                throw new EmbeddedKafkaException("the embedded Kafka broker at " + bootstrap + " did not become ready within "
                        + timeout.toMillis() + " ms" + (last == null ? "" : " (last error: " + last + ")"), last);
            }
            try {
                int waitMs = (int) Math.min(remaining, 5000);
                var nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(waitMs))
                        .nodes().get(waitMs, TimeUnit.MILLISECONDS);
                if (!nodes.isEmpty()) {
                    return;
                }
            } catch (ExecutionException e) {
                last = e.getCause();
            } catch (TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmbeddedKafkaException("interrupted while waiting for the embedded Kafka broker", e);
            }
            sleep(50);
        }
    }

    private void awaitLeaders(Collection<String> topics, long deadlineNanos) {
        Throwable last = null;
        while (remainingMillis(deadlineNanos) > 0) {
            try {
                Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                        .get(remainingMillis(deadlineNanos), TimeUnit.MILLISECONDS);
                boolean ready = descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    last = e.getCause();
                }
            } catch (TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmbeddedKafkaException("interrupted while waiting for topic leaders", e);
            }
            sleep(50);
        }
        throw new EmbeddedKafkaException("topics " + topics + " did not get partition leaders within "
                + TOPIC_TIMEOUT.toSeconds() + " s" + (last == null ? "" : " (last error: " + last + ")"), last);
    }

    private static long remainingMillis(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while waiting for the embedded Kafka broker", e);
        }
    }
}
