"""The playground controls' ranges, the one home for them: the widgets are drawn with
these (ui.widgets.playground_form) and a link or a scenario is held to them
(ui.views.deeplink).  Pure: no streamlit."""

MAX_TIMEOUT_MS = 300_000  # librdkafka's default message.timeout.ms is the largest offered
MAX_DELAY_MS = 600_000  # a delay fault
MAX_RANDOM_RATE = 0.5  # random fault rate
MAX_SEED = 2_147_483_647
MAX_STEPS_CHARS = 2000  # the Steps box
MAX_MESSAGES = 200  # messages a playground run may send
MAX_STEPS = 100
MAX_WAIT_MS = 60_000  # one wait step
MAX_FAULTS = 12
MAX_NTH = 1000
MAX_POSITION = 1_000_000
MAX_PARTITIONS = 8
# a send step's `bytes=N` (each value padded to N bytes): past the shipped scenarios' 5000 and the
# topics' max.message.bytes = 1000, while 200 such messages stay a few MB
MAX_MESSAGE_BYTES = 100_000

# query key -> (producer property, min, max): the number inputs and their link keys
NUMBER_PROPERTIES = {
    "inflight": ("max.in.flight.requests.per.connection", 1, 1_000_000),
    "retries": ("retries", 0, 2_147_483_647),
    "linger": ("linger.ms", 0, 900_000),
    "timeout": ("message.timeout.ms", 1, MAX_TIMEOUT_MS),
    "batch": ("batch.num.messages", 1, 1_000_000),
}
