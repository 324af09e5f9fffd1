package io.trolserve.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scrape in the Prometheus text format (0.0.4), parsed the way a scraper reads it, so tests
 * assert on exported names, labels and values rather than on Micrometer objects.
 */
public final class PrometheusText {

    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final Map<String, String> types;

    private PrometheusText(List<Sample> samples, Map<String, String> types) {
        this.samples = samples;
        this.types = types;
    }

    /**
     * GETs {@code uri} (e.g. the service's /q/metrics) as a Prometheus server does, preferring
     * OpenMetrics, and parses the answer; fails on a non-200.
     */
    public static PrometheusText scrape(URI uri) throws IOException, InterruptedException {
        HttpRequest get = HttpRequest.newBuilder(uri).header("Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1").build();
        HttpResponse<String> r = HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
        }
        return parse(r.body());
    }

    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).trim().split(" ");
                types.put(parts[0], parts[1]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                samples.add(sample(line));
            }
        }
        return new PrometheusText(samples, types);
    }

    /** Every sample named {@code name} whose labels include {@code labelPairs} (name, value, name, value...). */
    public List<Sample> samples(String name, String... labelPairs) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.name().equals(name) && hasLabels(s, labelPairs)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The one sample so named and labelled; fails when there is none or several. */
    public double value(String name, String... labelPairs) {
        List<Sample> found = samples(name, labelPairs);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + " with " + List.of(labelPairs) + ": " + found);
        }
        return found.get(0).value();
    }

    /** The sum over every sample so named and labelled; 0 when there is none (a counter not yet created). */
    public double sum(String name, String... labelPairs) {
        return samples(name, labelPairs).stream().mapToDouble(Sample::value).sum();
    }

    /**
     * The {@code # TYPE} (counter, gauge, histogram...) of the family {@code metric} belongs to, or
     * null. OpenMetrics names a counter's family without its {@code _total}; the 0.0.4 text format
     * with it.
     */
    public String type(String metric) {
        String type = types.get(metric);
        return type != null || !metric.endsWith("_total") ? type
                : types.get(metric.substring(0, metric.length() - "_total".length()));
    }

    private static boolean hasLabels(Sample s, String... labelPairs) {
        for (int i = 0; i + 1 < labelPairs.length; i += 2) {
            if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
                return false;
            }
        }
        return true;
    }

    /** {@code name{a="x",b="y\"z",} 1.0 [timestamp]}; label values may hold escaped quotes and commas. */
    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        int rest;
        if (brace >= 0 && brace < space) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq).trim();
                StringBuilder value = new StringBuilder();
                int j = eq + 2; // past ="
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(key, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            rest = i + 1;
        } else {
            name = line.substring(0, space);
            rest = space;
        }
        String[] fields = line.substring(rest).trim().split(" ");
        return new Sample(name, labels, number(fields[0]));
    }

    private static double number(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }
}
