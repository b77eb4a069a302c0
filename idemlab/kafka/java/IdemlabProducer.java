// Drives Apache Kafka's own Java producer for idemlab, one JSON object per line.
//
// stdin (commands):  {"op":"create","props":{...}}  {"op":"send","topic":T,"first_msg":N,"values":[...],
//                    "key":K|null,"partition":P|null}  {"op":"flush"}  {"op":"close"}  {"op":"abort"}
//                    {"op":"bulk","topic":T,"count":N,"size":B,"partition":P|null} (benchmarks)
// stdout (events):   ready, created | create_failed, called, refused (send() threw), delivery, fatal,
//                    sent, flushed, closed, bulked, failed (a command this program could not carry out)
//
// Each record carries the header idemlab.msg = its produce() number, so the fault proxy can tell
// which message a batch holds.  The delivery report of a message is never written before its
// "called" line, even when the client completes it inside send().  End of stdin ends the JVM at
// once: it never outlives the Python process that started it.
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

public final class IdemlabProducer {
    private static final String MSG_HEADER = "idemlab.msg";
    private static final Object LOCK = new Object();
    private static PrintStream out;
    private static volatile KafkaProducer<byte[], byte[]> producer;
    private static final Set<Long> announced = new HashSet<>();
    private static final Map<Long, List<String>> early = new HashMap<>();
    private static boolean fatalReported;

    public static void main(String[] args) throws Exception {
        out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing but this program writes to the protocol channel
        LinkedBlockingQueue<Map<String, Object>> commands = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> readCommands(commands), "idemlab-stdin");
        reader.setDaemon(true);
        reader.start();
        write(object("ev", "ready", "version", clientVersion()));
        while (true) {
            Map<String, Object> command = commands.take();
            try {
                handle(command);
            } catch (RuntimeException e) {
                write(object("ev", "failed", "op", command.get("op"), "error", name(e), "message", e.getMessage()));
            }
        }
    }

    private static void readCommands(LinkedBlockingQueue<Map<String, Object>> commands) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) continue;
                @SuppressWarnings("unchecked")
                Map<String, Object> command = (Map<String, Object>) new Json(line).value();
                if ("abort".equals(command.get("op"))) {
                    abort(); // from this thread: the main one may be blocked in flush()
                } else {
                    commands.add(command);
                }
            }
        } catch (Exception e) {
            System.err.println("idemlab: bad command: " + e);
        }
        Runtime.getRuntime().halt(0);
    }

    private static void handle(Map<String, Object> command) {
        String op = (String) command.get("op");
        switch (op) {
            case "create":
                create(command);
                break;
            case "send":
                send(command);
                break;
            case "bulk":
                bulk(command);
                break;
            case "flush":
                producer.flush();
                write(object("ev", "flushed"));
                break;
            case "close":
                if (producer != null) producer.close(Duration.ofSeconds(((Number) command.getOrDefault("timeout_s", 30L)).longValue()));
                producer = null;
                write(object("ev", "closed"));
                break;
            default:
                throw new IllegalArgumentException("unknown op " + op);
        }
    }

    @SuppressWarnings("unchecked")
    private static void create(Map<String, Object> command) {
        Properties props = new Properties();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) command.get("props")).entrySet()) {
            props.put(e.getKey(), String.valueOf(e.getValue()));
        }
        props.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        props.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        synchronized (LOCK) {
            announced.clear();
            early.clear();
            fatalReported = false;
        }
        try {
            producer = new KafkaProducer<>(props);
            write(object("ev", "created", "client_id", clientId(producer)));
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            write(object("ev", "create_failed", "error", name(e), "message", e.getMessage(),
                    "cause_error", name(root), "cause", root == e ? null : root.getMessage()));
        }
    }

    @SuppressWarnings("unchecked")
    private static void send(Map<String, Object> command) {
        String topic = (String) command.get("topic");
        long msg = ((Number) command.get("first_msg")).longValue();
        String key = (String) command.get("key");
        Integer partition = command.get("partition") == null ? null : ((Number) command.get("partition")).intValue();
        for (Object value : (List<Object>) command.get("values")) {
            final long number = msg++;
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, null,
                    key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    ((String) value).getBytes(StandardCharsets.UTF_8),
                    List.<Header>of(new RecordHeader(MSG_HEADER, Long.toString(number).getBytes(StandardCharsets.UTF_8))));
            try {
                producer.send(record, (metadata, error) -> delivered(number, metadata, error));
            } catch (RuntimeException e) {
                write(object("ev", "refused", "msg", number, "error", name(e), "message", e.getMessage()));
                continue;
            }
            synchronized (LOCK) {
                announced.add(number);
                write(object("ev", "called", "msg", number));
                for (String line : early.getOrDefault(number, List.of())) writeRaw(line);
                early.remove(number);
            }
        }
        write(object("ev", "sent"));
    }

    // For benchmarks: count records of size bytes to one partition, sent and flushed by the JVM
    // itself (no line per record); answers with the wall time from the first send() to the end
    // of flush() and how many deliveries failed.
    private static void bulk(Map<String, Object> command) {
        String topic = (String) command.get("topic");
        long count = ((Number) command.get("count")).longValue();
        byte[] value = new byte[((Number) command.get("size")).intValue()];
        java.util.Arrays.fill(value, (byte) '.');
        Integer partition = command.get("partition") == null ? null : ((Number) command.get("partition")).intValue();
        java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        long started = System.nanoTime();
        for (long i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, partition, null, value), (metadata, error) -> {
                if (error != null) failed.incrementAndGet();
            });
        }
        producer.flush();
        double seconds = (System.nanoTime() - started) / 1e9;
        write(object("ev", "bulked", "count", count, "failed", failed.get(), "seconds", seconds));
    }

    private static void delivered(long msg, org.apache.kafka.clients.producer.RecordMetadata metadata, Exception error) {
        Integer partition = metadata == null || metadata.partition() < 0 ? null : metadata.partition();
        Long offset = error == null && metadata != null && metadata.hasOffset() ? metadata.offset() : null;
        String line = object("ev", "delivery", "msg", msg, "partition", partition, "offset", offset,
                "error", error == null ? null : name(error), "message", error == null ? null : error.getMessage());
        synchronized (LOCK) {
            if (announced.contains(msg)) {
                writeRaw(line);
            } else {
                early.computeIfAbsent(msg, k -> new ArrayList<>()).add(line);
            }
            if (error != null) reportFatal();
        }
    }

    // The idempotent producer's TransactionManager keeps its fatal state to itself; this program
    // is compiled against one client version and reads it to tell the learner when the producer
    // can no longer be used.
    private static void reportFatal() {
        if (fatalReported || producer == null) return;
        try {
            Field field = KafkaProducer.class.getDeclaredField("transactionManager");
            field.setAccessible(true);
            Object manager = field.get(producer);
            if (manager == null) return;
            Method hasFatal = manager.getClass().getDeclaredMethod("hasFatalError");
            hasFatal.setAccessible(true);
            if (!(Boolean) hasFatal.invoke(manager)) return;
            Method lastError = manager.getClass().getDeclaredMethod("lastError");
            lastError.setAccessible(true);
            Object error = lastError.invoke(manager);
            fatalReported = true;
            writeRaw(object("ev", "fatal", "error", error == null ? "KafkaException" : name((Throwable) error),
                    "message", error == null ? "fatal error" : ((Throwable) error).getMessage()));
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("idemlab: cannot read the producer's error state: " + e);
        }
    }

    // The client.id the producer runs with (its own "producer-N" unless one was given): every
    // metric of the producer is tagged with it.
    private static String clientId(KafkaProducer<byte[], byte[]> created) {
        for (org.apache.kafka.common.MetricName metric : created.metrics().keySet()) {
            String id = metric.tags().get("client-id");
            if (id != null) return id;
        }
        return null;
    }

    private static void abort() {
        KafkaProducer<byte[], byte[]> current = producer;
        if (current != null) current.close(Duration.ZERO);
    }

    private static String clientVersion() {
        Properties info = new Properties();
        try (var in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in != null) info.load(in);
        } catch (java.io.IOException e) {
            return "unknown";
        }
        return info.getProperty("version", "unknown");
    }

    private static String name(Throwable error) {
        return error.getClass().getSimpleName();
    }

    // ---- JSON out ----------------------------------------------------------------------------
    private static String object(Object... pairs) {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) text.append(',');
            quote(text, (String) pairs[i]);
            text.append(':');
            Object value = pairs[i + 1];
            if (value == null) text.append("null");
            else if (value instanceof Number || value instanceof Boolean) text.append(value);
            else quote(text, value.toString());
        }
        return text.append('}').toString();
    }

    private static void quote(StringBuilder text, String value) {
        text.append('"');
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') text.append('\\').append(c);
            else if (c < 0x20) text.append(String.format("\\u%04x", (int) c));
            else text.append(c);
        }
        text.append('"');
    }

    private static void write(String line) {
        synchronized (LOCK) {
            writeRaw(line);
        }
    }

    private static void writeRaw(String line) {
        out.print(line);
        out.print('\n');
        out.flush();
    }

    // ---- JSON in: objects, arrays, strings, numbers, true/false/null -------------------------
    private static final class Json {
        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object value() {
            skip();
            char c = text.charAt(at);
            if (c == '{') return object();
            if (c == '[') return array();
            if (c == '"') return string();
            if (text.startsWith("true", at)) { at += 4; return Boolean.TRUE; }
            if (text.startsWith("false", at)) { at += 5; return Boolean.FALSE; }
            if (text.startsWith("null", at)) { at += 4; return null; }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
            String number = text.substring(start, at);
            if (number.isEmpty()) throw new IllegalArgumentException("unexpected " + c + " at " + start);
            return number.matches("-?\\d+") ? (Object) Long.parseLong(number) : (Object) Double.parseDouble(number);
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            skip();
            if (text.charAt(at) == '}') { at++; return map; }
            while (true) {
                skip();
                String key = string();
                skip();
                expect(':');
                map.put(key, value());
                skip();
                if (text.charAt(at) == '}') { at++; return map; }
                expect(',');
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            skip();
            if (text.charAt(at) == ']') { at++; return list; }
            while (true) {
                list.add(value());
                skip();
                if (text.charAt(at) == ']') { at++; return list; }
                expect(',');
            }
        }

        private String string() {
            expect('"');
            StringBuilder value = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') return value.toString();
                if (c != '\\') { value.append(c); continue; }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n': value.append('\n'); break;
                    case 't': value.append('\t'); break;
                    case 'r': value.append('\r'); break;
                    case 'b': value.append('\b'); break;
                    case 'f': value.append('\f'); break;
                    case 'u': value.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; break;
                    default: value.append(e);
                }
            }
        }

        private void expect(char c) {
            if (text.charAt(at) != c) throw new IllegalArgumentException("expected " + c + " at " + at);
            at++;
        }

        private void skip() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }
    }
}
